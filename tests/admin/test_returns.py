"""Returns in the back office: the order page's panel, the new-return page, the Receive,
Refund and Reject buttons, the Returns list. Every write goes through the services with
the staff user."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import Order, OrderItem, Refund, Return
from tests.admin.conftest import change_url
from tests.factories import ShippingMethodFactory, delivered_parcel, order_with_items

pytestmark = pytest.mark.django_db
D = Decimal


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def request_url(order) -> str:
    return reverse("admin:orders_return_request", args=[order.pk])


def step_url(goods_return, step: str) -> str:
    return reverse("admin:orders_return_step", args=[goods_return.pk, step])


@pytest.fixture
def order(actor):
    """Article 0 (1), Article 1 (2) and a courier, 10 % off (32.67 + 4.90), paid in full;
    Article 0 and one Article 1 delivered, the other Article 1 not yet."""
    order = order_with_items(items=2, shipping_id=ShippingMethodFactory(price=D("4.90")).pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=D("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    delivered_parcel(
        order, [(order.items.get(name="Article 0"), 1), (order.items.get(name="Article 1"), 1)]
    )
    return Order.objects.get(pk=order.pk)


def item(order, name) -> OrderItem:
    return order.items.get(name=name)


def a_return(order, actor, *, received=False) -> Return:
    goods_return = services.return_request(
        order_id=order.pk, actor=actor, lines=[(item(order, "Article 1").pk, 1)], reason="Too big"
    )
    if received:
        services.return_mark_received(order_id=order.pk, return_id=goods_return.pk, actor=actor)
    return goods_return


def test_the_new_return_page_lists_what_can_come_back(manager_client, order, actor):
    a_return(order, actor)  # one Article 1 is on its way back already

    page = manager_client.get(request_url(order))

    assert page.status_code == 200
    rows = {option.item.name: (option.delivered, option.returned, option.left)
            for option, _ in page.context["rows"]}  # fmt: skip
    assert rows == {"Article 0": (1, 0, 1), "Article 1": (1, 1, 0)}
    html = page.content.decode()
    mug = item(order, "Article 0")
    assert f'name="count_{mug.pk}" id="id_count_{mug.pk}" min="0" max="1"' in html
    assert f'name="count_{item(order, "Article 1").pk}"' not in html  # nothing left of it


def test_requesting_a_return_from_the_page(manager_client, manager, order):
    mug = item(order, "Article 0")

    response = manager_client.post(request_url(order), {f"count_{mug.pk}": "1", "reason": "Dented"})

    assert response.status_code == 302
    assert response["Location"] == change_url(order)
    goods_return = Return.objects.get()
    assert messages_of(response) == [f"Return {goods_return.pk} requested: 1 x Article 0."]
    assert (goods_return.state, goods_return.reason, goods_return.user) == (
        "requested",
        "Dented",
        manager,
    )
    assert item(order, "Article 0").returned_count == 1
    assert Order.objects.get(pk=order.pk).history.first().user == manager


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "x"}, "Choose how many of which products come back."),
        ({"count_mug": "2", "reason": "x"}, "Ensure this value is less than or equal to 1."),
        ({"count_mug": "1"}, "This field is required."),
    ],
)
def test_a_bad_new_return_is_shown_and_changes_nothing(manager_client, order, data, error):
    mug = item(order, "Article 0")
    data = {key.replace("mug", str(mug.pk)): value for key, value in data.items()}

    response = manager_client.post(request_url(order), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Return.objects.exists()


def test_a_new_return_the_service_refuses_is_shown(manager_client, actor):
    order = order_with_items(items=1)
    mug = order.items.get()
    services.order_cancel(order_id=order.pk, actor=actor)
    delivered_parcel(order, [(mug, 1)])  # written directly: older data may hold one

    page = manager_client.get(request_url(order))
    assert 'name="request"' not in page.content.decode()  # no button on a canceled order
    response = manager_client.post(request_url(order), {f"count_{mug.pk}": "1", "reason": "x"})

    assert response.status_code == 200
    assert f"Order {order.pk} cannot take a return: it is canceled." in response.content.decode()
    assert not Return.objects.exists()


def test_the_order_page_shows_returns_and_the_steps_each_allows(admin_client, order, actor):
    requested = a_return(order, actor)
    services.return_request(
        order_id=order.pk, actor=actor, lines=[(item(order, "Article 0").pk, 1)], reason="Dented"
    )
    received = Return.objects.get(reason="Dented")
    services.return_mark_received(order_id=order.pk, return_id=received.pk, actor=actor)

    html = admin_client.get(change_url(order)).content.decode()

    for shown in ("Returns", "1 x Article 1", "Too big", "Requested", "1 x Article 0", "Received"):
        assert shown in html
    assert step_url(requested, "receive") in html
    assert step_url(requested, "reject") in html
    assert step_url(requested, "refund") not in html  # not received yet
    # The refund button says what it will give back: one Article 0 less 10 %.
    assert step_url(received, "refund") in html
    assert "Refund €10.89" in html
    assert "Refund €10.89 for return" in html  # and the confirmation asks again
    assert step_url(received, "receive") not in html
    assert f'href="{request_url(order)}"' in html


def test_receive_then_refund_with_the_buttons(manager_client, manager, order, actor):
    goods_return = a_return(order, actor)

    response = manager_client.post(step_url(goods_return, "receive"))
    assert messages_of(response) == [f"Return {goods_return.pk} received."]
    response = manager_client.post(step_url(goods_return, "refund"))

    assert response["Location"] == change_url(order)
    assert messages_of(response)[-1] == f"Return {goods_return.pk} refunded: €10.89."
    goods_return.refresh_from_db()
    refund = Refund.objects.get()
    assert (goods_return.state, goods_return.refund, refund.user) == ("refunded", refund, manager)
    assert Order.objects.get(pk=order.pk).refunded == D("10.89")


def test_rejecting_with_the_button_releases_the_units(manager_client, order, actor):
    goods_return = a_return(order, actor, received=True)

    response = manager_client.post(step_url(goods_return, "reject"))

    assert messages_of(response) == [f"Return {goods_return.pk} rejected."]
    assert Return.objects.get(pk=goods_return.pk).state == "rejected"
    assert item(order, "Article 1").returned_count == 0


def test_a_step_the_return_does_not_allow_is_an_error_message(manager_client, order, actor):
    goods_return = a_return(order, actor)

    response = manager_client.post(step_url(goods_return, "refund"))

    assert messages_of(response) == [
        f"Return {goods_return.pk} cannot be refunded: it is requested. "
        "Allowed now: receive, reject."
    ]
    assert not Refund.objects.exists()


def test_steps_are_posts_of_known_steps(manager_client, order, actor):
    goods_return = a_return(order, actor)
    assert manager_client.get(step_url(goods_return, "receive")).status_code == 405
    assert manager_client.post(step_url(goods_return, "ship")).status_code == 404
    missing = reverse("admin:orders_return_step", args=[987654, "receive"])
    assert manager_client.post(missing).status_code == 404
    assert Return.objects.get(pk=goods_return.pk).state == "requested"


def test_support_staff_see_returns_but_change_nothing(support_client, order, actor):
    goods_return = a_return(order, actor, received=True)

    html = support_client.get(change_url(order)).content.decode()
    assert "1 x Article 1" in html
    assert step_url(goods_return, "refund") not in html
    assert 'id="new-return"' not in html
    for step in ("receive", "refund", "reject"):
        assert support_client.post(step_url(goods_return, step)).status_code == 403
    assert support_client.get(request_url(order)).status_code == 403
    assert Return.objects.get(pk=goods_return.pk).state == "received"
    listing = support_client.get(reverse("admin:orders_return_changelist"))
    assert listing.status_code == 200
    assert "Too big" in listing.content.decode()
    detail = support_client.get(reverse("admin:orders_return_change", args=[goods_return.pk]))
    assert detail.status_code == 200
    assert "Article 1" in detail.content.decode()
