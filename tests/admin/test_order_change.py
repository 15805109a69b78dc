"""The order change page: fieldsets, saving through the services, item and tracking inlines."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from orders.models import HistoryRecord, Order
from tests.admin.conftest import change_form_data, change_url
from tests.factories import ShipperFactory, TrackingFactory, order_with_items

pytestmark = pytest.mark.django_db


def items_prefix(response) -> str:
    return response.context["inline_admin_formsets"][0].formset.prefix


def test_change_page_groups_the_order_and_separates_the_staff_note(admin_client, order):
    response = admin_client.get(change_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Customer &amp; billing",
        "Delivery",
        "Money &amp; currency",
        "Payment",
        "External references",
        "Customer&#x27;s note",
        "Staff note — never shown to the customer",
    ):
        assert heading in html
    assert "VIP, handle with care" in html
    assert "€36.30" in html  # money, formatted in its currency
    assert reverse("order-page", args=[order.hash]) in html
    assert reverse("order-invoice", args=[order.hash]) in html
    # history, newest first, with who and from where
    assert "Order created" in html
    assert "order.created" in html  # the outbox event


def test_saving_unchanged_form_writes_nothing(admin_client, order):
    page = admin_client.get(change_url(order))
    before = order.history.count()

    response = admin_client.post(change_url(order), change_form_data(page))

    assert response.status_code == 302, response.context and response.context["errors"]
    order.refresh_from_db()
    assert order.history.count() == before
    assert order.version == 1


def test_saving_the_form_goes_through_order_update(admin_client, superuser, order):
    page = admin_client.get(change_url(order))
    data = change_form_data(page) | {"our_note": "Call before delivery", "phone": "+420 777"}

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.our_note == "Call before delivery"
    assert order.version == 2
    record = order.history.first()
    assert record.name == "Order data changed"
    assert record.user == superuser
    assert record.actor == "boss"
    assert record.source == "admin"
    assert record.changes == {
        "our_note": ["VIP, handle with care", "Call before delivery"],
        "phone": ["", "+420 777"],
    }


def test_delivery_address_is_read_only_once_sent(admin_client, order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)
    city = order.delivery_city

    page = admin_client.get(change_url(order))

    assert "delivery_city" not in page.context["adminform"].form.fields
    data = change_form_data(page) | {"delivery_city": "Elsewhere"}
    admin_client.post(change_url(order), data)
    order.refresh_from_db()
    assert order.delivery_city == city


def test_adding_an_item_updates_money_and_history_with_the_staff_user(
    admin_client, superuser, order
):
    page = admin_client.get(change_url(order))
    prefix = items_prefix(page)
    data = change_form_data(page) | {
        f"{prefix}-2-name": "Desk lamp",
        f"{prefix}-2-code": "LAMP-1",
        f"{prefix}-2-count": "2",
        f"{prefix}-2-unit_price_final": "49.00",
        f"{prefix}-2-vat": "21",
        f"{prefix}-2-weight": "1.4",
    }

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.money == Decimal("134.30")  # 36.30 + 2 x 49.00
    assert order.weight == Decimal("2.800")
    lamp = order.items.get(name="Desk lamp")
    assert lamp.unit_price_base == Decimal("40.50")  # 49.00 / 1.21, rounded half-up
    record = order.history.filter(type="item").get()
    assert record.name == "Item added: 2 x Desk lamp"
    assert record.user == superuser
    assert record.changes["money"][1] == "134.30"


def test_changing_and_removing_items_go_through_the_services(admin_client, order):
    first, _second = order.items.order_by("id")
    page = admin_client.get(change_url(order))
    prefix = items_prefix(page)
    data = change_form_data(page) | {
        f"{prefix}-0-count": "3",
        f"{prefix}-1-DELETE": "on",
    }

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    order.refresh_from_db()
    assert list(order.items.values_list("id", "count")) == [(first.pk, 3)]
    assert order.money == Decimal("36.30")  # 3 x 12.10
    names = list(order.history.filter(type="item").values_list("name", flat=True))
    assert sorted(names) == ["Item changed: 3 x Article 0", "Item removed: 2 x Article 1"]


def test_an_invalid_item_is_shown_on_its_row_and_nothing_is_saved(admin_client, order):
    page = admin_client.get(change_url(order))
    prefix = items_prefix(page)
    data = change_form_data(page) | {
        f"{prefix}-2-name": "Broken",
        f"{prefix}-2-count": "1",
        f"{prefix}-2-unit_price_final": "-5",
        f"{prefix}-2-vat": "21",
    }

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 200
    assert "Please correct the error" in response.content.decode()
    assert order.items.count() == 2


def test_items_are_read_only_once_the_order_is_sent(admin_client, order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)

    page = admin_client.get(change_url(order))

    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert "€12.10" in page.content.decode()


def test_adding_a_tracking_number_goes_through_the_service(admin_client, order):
    shipper = ShipperFactory(name="PPL")
    page = admin_client.get(change_url(order))
    prefix = page.context["inline_admin_formsets"][1].formset.prefix
    data = change_form_data(page) | {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-shipper": shipper.pk,
        f"{prefix}-0-tracking_number": "PPL123",
    }

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    assert order.trackings.get().tracking_number == "PPL123"
    assert order.history.filter(name="Tracking number added: PPL PPL123").exists()


def test_a_tracking_number_of_another_order_is_refused_on_the_form(admin_client, order):
    taken = TrackingFactory(tracking_number="TAKEN1")
    page = admin_client.get(change_url(order))
    prefix = page.context["inline_admin_formsets"][1].formset.prefix
    data = change_form_data(page) | {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-shipper": taken.shipper_id,
        f"{prefix}-0-tracking_number": "TAKEN1",
    }

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 200
    assert not order.trackings.exists()


def test_creating_an_order_goes_through_order_create(admin_client, superuser):
    page = admin_client.get(reverse("admin:orders_order_add"))
    data = change_form_data(page) | {
        "name": "Eva Veselá",
        "email": "eva@mail.example",
        "delivery_city": "Ostrava",
    }

    response = admin_client.post(reverse("admin:orders_order_add"), data)

    order = Order.objects.get(email="eva@mail.example")
    assert response.status_code == 302
    assert response["Location"] == change_url(order)
    assert order.customer.email == "eva@mail.example"  # order_create found/created the buyer
    created = HistoryRecord.objects.get(order=order)
    assert created.name == "Order created"
    assert created.user == superuser


def test_orders_cannot_be_deleted_in_the_back_office(admin_client, order):
    response = admin_client.post(
        reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


def _change_page_queries(client, order) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(change_url(order)).status_code == 200
    return len(queries)


def test_change_page_query_count_does_not_grow_with_items_trackings_or_history(admin_client, actor):
    small = order_with_items(items=1)
    TrackingFactory(order=small)
    big = order_with_items(items=8)
    for n in range(4):
        TrackingFactory(order=big)
        services.order_history_add(order_id=big.pk, actor=actor, type="note", name=f"Note {n}")

    assert _change_page_queries(admin_client, big) == _change_page_queries(admin_client, small)


def test_a_buyer_vat_number_wrong_for_its_country_is_a_form_error(admin_client, order):
    page = admin_client.get(change_url(order))
    data = change_form_data(page) | {"state_code": "CZ", "company_vat": "CZ12345670"}

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 200  # the form again, with the error on the field
    assert response.context["adminform"].form.errors["company_vat"]
    order.refresh_from_db()
    assert order.company_vat == ""


def test_a_valid_buyer_vat_number_is_saved(admin_client, order):
    page = admin_client.get(change_url(order))
    data = change_form_data(page) | {"state_code": "CZ", "company_vat": "CZ25123891"}

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.company_vat == "CZ25123891"


def test_staff_set_the_orders_language_empty_is_the_channels(admin_client, order):
    page = admin_client.get(change_url(order))
    field = page.context["adminform"].form.fields["language"]
    assert list(field.choices) == [("", "The channel's"), ("en", "English"), ("cs", "Czech")]

    response = admin_client.post(change_url(order), change_form_data(page) | {"language": "cs"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.language == "cs"
    assert order.history.first().changes == {"language": ["", "cs"]}
