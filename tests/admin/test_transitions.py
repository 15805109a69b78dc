"""Transition buttons on the change page: the same services as the API, the staff user as
actor, refusals shown as admin errors, and only for staff who may change orders."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from orders import services
from orders.models import Order
from statuses.models import OrderStatus
from tests.admin.conftest import change_url, transition_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def buttons_on(page) -> set[str]:
    html = page.content.decode()
    return {
        action
        for action in ("paid", "sent", "delivered", "done", "cancel", "status")
        if f'name="transition" value="{action}"' in html
    }


def test_an_open_order_shows_the_buttons_it_allows(admin_client, order):
    page = admin_client.get(change_url(order))

    assert buttons_on(page) == {"paid", "sent", "done", "cancel", "status"}


def test_a_sent_order_offers_delivered_and_no_longer_sent(admin_client, order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)

    page = admin_client.get(change_url(order))

    assert buttons_on(page) == {"paid", "delivered", "done", "cancel", "status"}


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [
        ("paid", "payment_state", "paid"),
        ("sent", "shipping_state", "sent"),
        ("done", "closing_state", "done"),
        ("cancel", "closing_state", "canceled"),
    ],
)
def test_a_button_runs_its_service_as_the_staff_user(
    admin_client, superuser, order, action, field, expected
):
    response = admin_client.post(transition_url(order, action))

    assert response.status_code == 302
    assert response["Location"] == change_url(order)
    order.refresh_from_db()
    assert getattr(order, field) == expected
    record = order.history.first()
    assert record.user == superuser
    assert record.source == "admin"


def test_delivered_after_sent(admin_client, order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)

    admin_client.post(transition_url(order, "delivered"))

    order.refresh_from_db()
    assert order.shipping_state == "delivered"


def test_paid_with_an_amount_records_a_partial_payment(admin_client, order):
    response = admin_client.post(transition_url(order, "paid"), {"amount": "10.00"})

    order.refresh_from_db()
    assert order.paid == Decimal("10.00")
    assert order.payment_state == "partially_paid"
    assert messages_of(response) == [f"Order {order.pk} payment recorded: €10.00 paid."]


def test_paid_with_a_bad_amount_changes_nothing(admin_client, order):
    response = admin_client.post(transition_url(order, "paid"), {"amount": "lots"})

    order.refresh_from_db()
    assert order.paid == 0
    assert messages_of(response) == ["Amount: Enter a number."]


def test_assigning_a_status(admin_client, order):
    status = OrderStatus.objects.get(name="Processing")

    response = admin_client.post(transition_url(order, "status"), {"status": status.pk})

    order.refresh_from_db()
    assert order.status == status
    assert messages_of(response) == [f"Order {order.pk} now has the status Processing."]


def test_a_completing_status_completes_the_order(admin_client, order):
    admin_client.post(
        transition_url(order, "status"), {"status": OrderStatus.objects.get(name="Completed").pk}
    )

    order.refresh_from_db()
    assert order.closing_state == "done"


def test_a_refused_transition_shows_why_and_changes_nothing(admin_client, order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_mark_delivered(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    version, history = order.version, order.history.count()

    response = admin_client.post(transition_url(order, "cancel"))

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Order {order.pk} cannot be canceled: it is open, delivered, unpaid. "
        "Allowed now: paid, done."
    ]
    order.refresh_from_db()
    assert order.closing_state == "open"
    assert (order.version, order.history.count()) == (version, history)


def test_a_refused_status_is_not_assigned(admin_client, order, actor):
    services.order_mark_done(order_id=order.pk, actor=actor)
    canceled = OrderStatus.objects.get(name="Canceled")

    response = admin_client.post(transition_url(order, "status"), {"status": canceled.pk})

    order.refresh_from_db()
    assert order.status_id != canceled.pk
    assert order.closing_state == "done"
    assert "cannot be canceled" in messages_of(response)[0]


def test_the_refusal_is_shown_on_the_change_page(admin_client, order, actor):
    services.order_cancel(order_id=order.pk, actor=actor)

    response = admin_client.post(transition_url(order, "sent"), follow=True)

    html = response.content.decode()
    assert f"Order {order.pk} cannot be marked sent: it is canceled" in html
    assert 'class="error"' in html


def test_transitions_only_answer_post(admin_client, order):
    response = admin_client.get(transition_url(order, "sent"))

    assert response.status_code == 405
    assert Order.objects.get(pk=order.pk).shipping_state == "pending"


def test_an_unknown_action_is_404(admin_client, order):
    assert admin_client.post(transition_url(order, "explode")).status_code == 404


def test_an_unknown_order_is_404(admin_client, order):
    url = transition_url(order, "sent").replace(f"/{order.pk}/", "/999999/")

    assert admin_client.post(url).status_code == 404


def test_staff_without_change_permission_see_no_buttons_and_get_403(support_client, order):
    page = support_client.get(change_url(order))

    assert page.status_code == 200
    assert buttons_on(page) == set()
    for action in ("paid", "sent", "done", "cancel", "status"):
        assert support_client.post(transition_url(order, action)).status_code == 403
    order.refresh_from_db()
    assert (order.payment_state, order.shipping_state, order.closing_state) == (
        "unpaid",
        "pending",
        "open",
    )


def test_support_can_add_a_history_note(support_client, support, order):
    page = support_client.get(change_url(order))
    assert "Add note" in page.content.decode()

    support_client.post(f"{change_url(order).removesuffix('change/')}note/", {"text": "Called"})

    record = order.history.first()
    assert (record.name, record.type, record.user) == ("Called", "note", support)


def test_staff_without_the_note_permission_cannot_add_notes(client, order):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)

    response = client.post(f"{change_url(order).removesuffix('change/')}note/", {"text": "x"})

    assert response.status_code == 403
    assert not order.history.filter(type="note").exists()


def test_an_open_order_status_on_a_done_order_shows_the_refusal(admin_client, order, actor):
    services.order_mark_done(order_id=order.pk, actor=actor)
    processing = OrderStatus.objects.get(name="Processing")

    response = admin_client.post(transition_url(order, "status"), {"status": processing.pk})

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Order {order.pk} cannot be given the status Processing: it is done, not sent, "
        "unpaid. Allowed now: paid."
    ]
    order.refresh_from_db()
    assert order.status.name == "Completed"
