"""The order page's parcels: the list, the page that packs one, the buttons that move them,
the packing slip. Every write goes through the services with the staff user."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import HistoryRecord, Order, OrderItem, Shipment
from tests.admin.conftest import change_url
from tests.factories import ShipperFactory, order_with_items

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def pack_url(order) -> str:
    return reverse("admin:orders_order_parcel_create", args=[order.pk])


def step_url(order, parcel, step: str) -> str:
    return reverse("admin:orders_order_parcel_step", args=[order.pk, parcel.pk, step])


def slip_url(order, parcel) -> str:
    return reverse("admin:orders_order_packing_slip", args=[order.pk, parcel.pk])


def products(order) -> list[OrderItem]:
    return list(OrderItem.objects.filter(order=order, kind="product").order_by("id"))


@pytest.fixture
def shipper(db):
    return ShipperFactory(name="PPL", tracking_url_template="https://ppl.example/t/{number}")


@pytest.fixture
def parcel(order, actor, shipper):
    """Article 0 x 1 packed with a PPL tracking number; Article 1 x 2 waits."""
    first, _ = products(order)
    return services.shipment_create(
        order_id=order.pk,
        actor=actor,
        lines=[(first.pk, 1)],
        shipper_id=shipper.pk,
        tracking_number="PPL-1",
    )


def test_the_order_page_lists_parcels_with_lines_tracking_and_buttons(
    manager_client, order, parcel
):
    html = manager_client.get(change_url(order)).content.decode()

    assert 'id="parcels"' in html
    assert f'id="parcel-{parcel.pk}"' in html
    assert "1 x Article 0" in html
    assert 'href="https://ppl.example/t/PPL-1"' in html
    assert slip_url(order, parcel) in html
    assert step_url(order, parcel, "sent") in html  # packed: sent or cancel
    assert step_url(order, parcel, "cancel") in html
    assert step_url(order, parcel, "delivered") not in html
    assert pack_url(order) in html  # Article 1 still waits


def test_support_sees_parcels_but_no_buttons(support_client, order, parcel):
    html = support_client.get(change_url(order)).content.decode()
    assert f'id="parcel-{parcel.pk}"' in html
    assert step_url(order, parcel, "sent") not in html
    assert pack_url(order) not in html
    assert support_client.get(pack_url(order)).status_code == 403
    assert support_client.post(step_url(order, parcel, "sent")).status_code == 403
    assert Shipment.objects.get().state == "packed"
    assert support_client.get(slip_url(order, parcel)).status_code == 200


def test_the_pack_page_offers_what_waits_and_packs_it(manager_client, order, shipper):
    first, second = products(order)
    page = manager_client.get(pack_url(order))
    assert page.status_code == 200
    assert [(item.pk, field.value()) for item, field in page.context["rows"]] == [
        (first.pk, 1),
        (second.pk, 2),
    ]

    response = manager_client.post(
        pack_url(order),
        {
            f"count_{first.pk}": "0",
            f"count_{second.pk}": "2",
            "shipper": shipper.pk,
            "tracking_number": "PPL-9",
            "weight": "1.5",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(change_url(order) + "#parcels")
    parcel = Shipment.objects.get()
    assert [(line.item_id, line.count) for line in parcel.lines.all()] == [(second.pk, 2)]
    assert (parcel.tracking.tracking_number, str(parcel.weight)) == ("PPL-9", "1.500")
    assert messages_of(response) == [f"Parcel {parcel.pk} packed."]
    record = HistoryRecord.objects.get(order=order, type="shipment")
    assert (record.actor, record.source) == ("manager", "admin")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"count_first": "0", "count_second": "0"}, "Put at least one unit into the parcel."),
        ({"count_first": "1", "tracking_number": "X"}, "needs its carrier"),
        ({"count_first": "2"}, "Ensure this value is less than or equal to 1."),
    ],
)
def test_the_pack_page_refuses_bad_parcels(manager_client, order, data, error):
    first, second = products(order)
    names = {"count_first": f"count_{first.pk}", "count_second": f"count_{second.pk}"}
    response = manager_client.post(pack_url(order), {names.get(k, k): v for k, v in data.items()})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Shipment.objects.exists()


def test_a_service_refusal_shows_on_the_pack_page(manager_client, order, actor, shipper):
    other = order_with_items(items=1)
    services.order_tracking_add(
        order_id=other.pk, actor=actor, shipper_id=shipper.pk, tracking_number="TAKEN"
    )
    first, _ = products(order)
    body = {f"count_{first.pk}": "1", "shipper": shipper.pk, "tracking_number": "TAKEN"}

    response = manager_client.post(pack_url(order), body)

    assert response.status_code == 200
    assert "Tracking number TAKEN of PPL belongs to another order." in response.content.decode()
    assert not Shipment.objects.filter(order=order).exists()


def test_nothing_waiting_offers_nothing(manager_client, order, actor):
    services.shipment_create(order_id=order.pk, actor=actor)
    assert pack_url(order) not in manager_client.get(change_url(order)).content.decode()
    page = manager_client.get(pack_url(order))
    assert page.context["rows"] == []
    assert "Nothing waits" in page.content.decode()


def test_the_buttons_move_the_parcel(manager_client, order, parcel):
    response = manager_client.post(step_url(order, parcel, "sent"))
    assert response.status_code == 302
    assert messages_of(response) == [f"Parcel {parcel.pk} sent."]
    parcel.refresh_from_db()
    assert parcel.state == "sent"
    assert Order.objects.get(pk=order.pk).shipping_state == "partially_sent"

    manager_client.post(step_url(order, parcel, "returned"))
    parcel.refresh_from_db()
    assert parcel.state == "returned"
    assert products(order)[0].waiting_count == 1


def test_a_refused_step_is_a_message(manager_client, order, parcel):
    response = manager_client.post(step_url(order, parcel, "delivered"))
    assert response.status_code == 302
    assert messages_of(response) == [
        f"Parcel {parcel.pk} of order {order.pk} cannot be marked delivered: it is packed. "
        "Allowed now: sent, cancel."
    ]
    assert manager_client.get(step_url(order, parcel, "sent")).status_code == 405
    assert manager_client.post(step_url(order, parcel, "shipped")).status_code == 404


def test_cancel_drops_a_packed_parcel(manager_client, order, parcel):
    manager_client.post(step_url(order, parcel, "cancel"))
    assert not Shipment.objects.exists()
    assert [item.waiting_count for item in products(order)] == [1, 2]


def test_the_packing_slip(admin_client, order, parcel):
    order.delivery_street = "Dlouhá 5"
    Order.objects.filter(pk=order.pk).update(
        delivery_street="Dlouhá 5", delivery_city="Brno", delivery_zip="60200"
    )
    first, _ = products(order)
    OrderItem.objects.filter(pk=first.pk).update(code="MUG-1")

    response = admin_client.get(slip_url(order, parcel))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Order {order.pk}" in html
    assert f"Parcel {parcel.pk}" in html
    assert "Dlouhá 5" in html
    assert "60200 Brno" in html
    assert "MUG-1" in html
    assert "Article 0" in html
    assert "Article 1" not in html  # not in this parcel
    assert "PPL-1" in html
    assert "@media print" in html
    assert (
        admin_client.get(slip_url(order, parcel).replace(f"/{parcel.pk}/", "/987654/")).status_code
        == 404
    )
