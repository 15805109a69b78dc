"""The API answers in English whatever the request asks for (docs/api.md, Languages):
integrators read and match its messages. Django, DRF and django-filter ship Czech messages,
and the model names in ours are translated, so without config/locale.py these would switch."""

import pytest
from django.conf import settings

from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

CZECH = {"HTTP_ACCEPT_LANGUAGE": "cs-CZ,cs;q=0.9"}


def errors_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_validation_errors_stay_english_for_a_czech_client(api, prefix):
    # Django's and DRF's own messages, which their catalogues have in Czech.
    bad_email = {"name": "Jana", "email": "not-an-address"}
    response = api.post(f"{prefix}/System/Orders", bad_email, format="json", **CZECH)
    assert response.json() == {
        "message": "email: Enter a valid email address.",
        "detail": "email: Enter a valid email address.",
        "errors": {"email": ["Enter a valid email address."]},
    }
    bad_items = {"name": "Jana", "items": "tea"}
    response = api.post(f"{prefix}/System/Orders", bad_items, format="json", **CZECH)
    assert errors_of(response) == {
        "items.non_field_errors": ['Expected a list of items but got type "str".']
    }


def test_filter_errors_stay_english_for_a_czech_client(api):
    ChannelFactory()

    assert errors_of(api.get("/System/People", {"channel_id": "shop"}, **CZECH)) == {
        "channel_id": ["Enter a whole number."]  # Django's, "Zadejte celé číslo." in Czech
    }
    # Our own message, with the model's (translated) name in it.
    assert errors_of(api.get("/System/People", {"channel_id": 987654}, **CZECH)) == {
        "channel_id": ["Unknown channel 987654."]
    }


def test_the_language_cookie_does_not_switch_the_api_either(api):
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"

    response = api.get("/System/People", {"channel_id": "shop"})

    assert errors_of(response) == {"channel_id": ["Enter a whole number."]}


def test_authentication_errors_stay_english(anonymous):
    response = anonymous.get("/System/Orders", **CZECH)

    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication required.",
        "detail": "Send your API key in the 'token' header.",
    }


def test_api_answers_carry_no_language_headers(api):
    response = api.get("/System/Orders", **CZECH)

    assert response.status_code == 200
    assert "Content-Language" not in response
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_schema_is_english_for_a_czech_browser(client):
    response = client.get("/System/schema", headers={"accept": "application/json"}, **CZECH)

    schema = response.content.decode()
    assert "Unpaid" in schema  # the payment states' labels, from the models
    assert "Nezaplaceno" not in schema
