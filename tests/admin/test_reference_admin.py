"""Reference data pages render with their useful columns and search."""

import pytest
from django.urls import reverse

from tests.factories import (
    ChannelFactory,
    CustomerFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["channel", "customer", "company", "shipper", "shippingmethod", "paymentmethod"]
)
def test_reference_lists_render(admin_client, model):
    ShippingMethodFactory()
    PaymentMethodFactory()

    response = admin_client.get(reverse(f"admin:orders_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200


def test_shipper_shows_a_tracking_link_preview(admin_client):
    shipper = ShipperFactory(tracking_url_template="https://ppl.example/track/{number}")

    html = admin_client.get(
        reverse("admin:orders_shipper_change", args=[shipper.pk])
    ).content.decode()

    assert 'href="https://ppl.example/track/TEST123456"' in html


def test_customer_search(admin_client):
    wanted = CustomerFactory(name="Klára Horák", email="klara@mail.example")
    CustomerFactory(name="Someone Else")

    response = admin_client.get(reverse("admin:orders_customer_changelist"), {"q": "klara@"})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:orders_order_add",
        "admin:orders_apikey_add",
        "admin:orders_channel_add",
        "admin:orders_customer_add",
        "admin:orders_company_add",
        "admin:orders_shipper_add",
        "admin:orders_shippingmethod_add",
        "admin:orders_paymentmethod_add",
        "admin:statuses_orderstatus_add",
        "admin:index",
    ],
)
def test_add_pages_render(admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_a_channels_language_is_listed_filtered_and_edited(admin_client):
    czech = ChannelFactory(name="Czech shop", language="cs")
    ChannelFactory(name="Web shop", language="en")

    listed = admin_client.get(reverse("admin:orders_channel_changelist"), {"language": "cs"})
    assert list(listed.context["cl"].result_list) == [czech]
    assert "Czech" in listed.content.decode()

    url = reverse("admin:orders_channel_change", args=[czech.pk])
    response = admin_client.post(
        url,
        {"name": "Czech shop", "currency_code": "CZK", "language": "en", "company": ""},
    )
    assert response.status_code == 302
    czech.refresh_from_db()
    assert (czech.currency_code, czech.language) == ("CZK", "en")
