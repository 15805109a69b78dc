"""Status notifications e-mail the customer, rendered from the status's templates."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from notifications import delivery
from notifications.models import Delivery, StatusNotification
from orders import services
from tests.factories import (
    ChannelFactory,
    OrderStatusFactory,
    StatusNotificationFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def test_getting_the_status_emails_the_customer(actor):
    shipped = OrderStatusFactory(name="Shipped")
    StatusNotificationFactory(status=shipped)
    order = order_with_items(email="jana@mail.example", name="Jana Nováková")
    services.order_status_assign(order_id=order.pk, status_id=shipped.pk, actor=actor)

    delivery.run_once()

    [message] = mail.outbox
    assert message.to == ["jana@mail.example"]
    assert message.subject == f"Order {order.pk} is now Shipped"
    assert message.body == f"Dear Jana Nováková,\nyour order {order.pk} is Shipped.\n"
    assert Delivery.objects.get(kind="email").state == "succeeded"


def test_the_mail_can_show_the_total_and_link_the_order_page(actor, settings):
    settings.PUBLIC_BASE_URL = "https://orders.shop.example"
    status = OrderStatusFactory(name="Paid")
    StatusNotificationFactory(status=status, email_body="{{ money }} {{ order_url }}")
    order = order_with_items(items=2)  # 3 x 12.10
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)

    delivery.run_once()

    assert mail.outbox[0].body == f"€36.30 https://orders.shop.example/order/{order.hash}"


def test_names_are_not_html_escaped_in_the_plain_text_mail(actor):
    status = OrderStatusFactory(name="Ready & waiting")
    StatusNotificationFactory(status=status, email_body="{{ order.name }} / {{ status.name }}")
    order = order_with_items(name="O'Brien <Ltd>")
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)

    delivery.run_once()

    assert mail.outbox[0].body == "O'Brien <Ltd> / Ready & waiting"


def test_other_statuses_send_nothing(actor):
    StatusNotificationFactory(status=OrderStatusFactory())
    order = order_with_items()
    services.order_status_assign(order_id=order.pk, status_id=OrderStatusFactory().pk, actor=actor)

    delivery.run_once()

    assert mail.outbox == []


def test_an_order_without_email_fails_the_delivery_without_retrying(actor):
    status = OrderStatusFactory()
    StatusNotificationFactory(status=status)
    order = order_with_items(email="")
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)

    delivery.run_once()

    row = Delivery.objects.get()
    assert (row.state, row.attempts) == ("failed", 1)
    assert "no e-mail address" in row.last_error
    assert mail.outbox == []


def test_a_template_that_does_not_compile_is_refused_in_the_admin_form():
    note = StatusNotification(
        status=OrderStatusFactory(), email_subject="Hi {% if %}", email_body="x"
    )
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "email_subject" in error.value.message_dict


def test_a_notification_must_do_something():
    note = StatusNotification(status=OrderStatusFactory(), send_email=False, webhook_url="")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "send_email" in error.value.message_dict


def test_the_mails_total_is_written_in_the_orders_language(actor):
    status = OrderStatusFactory(name="Paid")
    StatusNotificationFactory(status=status, email_body="{{ money }}")
    czech = ChannelFactory(currency_code="CZK", language="cs")
    order = order_with_items(items=1, currency="CZK", channel=czech)  # 1 x 12.10
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)

    delivery.run_once()

    assert mail.outbox[0].body == "12,10\N{NO-BREAK SPACE}Kč"
