"""Status e-mails speak their order's language: the standard e-mail (a notification that
leaves its subject and body empty) in English or Czech, and a custom template told which."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dateformat import format as date_format

from notifications import delivery
from notifications.models import StatusNotification
from orders import services
from orders.money import format_money
from statuses.models import OrderStatus
from tests.factories import StatusNotificationFactory, order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_language(monkeypatch):
    """Give every order the language (as its channel or itself would)."""

    def set_language(code: str) -> None:
        monkeypatch.setattr("notifications.status_notifications.order_language", lambda o: code)

    return set_language


def standard_email_on(status: OrderStatus) -> None:
    StatusNotificationFactory(status=status, email_subject="", email_body="")


def mail_for(status: OrderStatus, actor, **order_fields):
    order = order_with_items(email="jana@mail.example", **order_fields)
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    delivery.run_once()
    [message] = mail.outbox
    return order, message


# The default statuses (statuses/migrations/0002); an open order can be given each of them.
DEFAULT_STATUSES = [
    "New",
    "Awaiting payment",
    "Paid",
    "Processing",
    "Shipped",
    "Delivered",
    "Completed",
    "Canceled",
]


@pytest.mark.parametrize("name", DEFAULT_STATUSES)
def test_the_standard_email_of_each_status_in_czech(actor, in_language, name):
    in_language("cs")
    status = OrderStatus.objects.get(name=name)
    standard_email_on(status)

    order, message = mail_for(status, actor, name="Jana Nováková")

    with translation.override("cs"):
        total = format_money(order.money, "EUR")  # as the Czech e-mail writes money
    assert message.subject == f"Objednávka č. {order.pk}: {name}"
    assert message.body.startswith("Dobrý den, Jana Nováková,\n\n")
    assert f"vaše objednávka č. {order.pk} má nyní stav: {name}." in message.body
    assert f"Celkem: {total}" in message.body
    assert f"/order/{order.hash}" in message.body
    assert message.body.rstrip().endswith("Děkujeme za vaši objednávku.")


@pytest.mark.parametrize("name", DEFAULT_STATUSES)
def test_the_standard_email_of_each_status_in_english(actor, in_language, name):
    in_language("en")
    status = OrderStatus.objects.get(name=name)
    standard_email_on(status)

    order, message = mail_for(status, actor, name="Jana Nováková")

    assert message.subject == f"Order {order.pk}: {name}"
    assert message.body.startswith("Dear Jana Nováková,\n\n")
    assert f"your order {order.pk} now has the status: {name}." in message.body
    assert f"Total: {format_money(order.money, 'EUR')}" in message.body
    assert message.body.rstrip().endswith("Thank you for your order.")


def test_a_nameless_order_is_greeted_without_a_name(actor, in_language):
    in_language("cs")
    status = OrderStatus.objects.get(name="Shipped")
    standard_email_on(status)

    _order, message = mail_for(status, actor, name="")

    assert message.body.startswith("Dobrý den,\n\n")


def test_the_standard_email_does_not_html_escape_names(actor, in_language):
    in_language("en")
    status = OrderStatus.objects.create(name="Ready & waiting", sort=99)
    standard_email_on(status)

    _order, message = mail_for(status, actor, name="O'Brien <Ltd>")

    assert message.body.startswith("Dear O'Brien <Ltd>,")
    assert message.subject.endswith(": Ready & waiting")


def test_a_custom_template_is_sent_as_written_and_can_branch_on_the_language(actor, in_language):
    in_language("cs")
    status = OrderStatus.objects.get(name="Shipped")
    StatusNotificationFactory(
        status=status,
        email_subject="{% if language == 'cs' %}Odesláno{% else %}Shipped{% endif %}",
        email_body="{{ order.date_order|date:'F' }}",  # Django's own filters follow it too
    )

    order, message = mail_for(status, actor)

    assert message.subject == "Odesláno"
    with translation.override("cs"):
        assert message.body == date_format(order.date_order, "F")
    assert message.body != date_format(order.date_order, "F")  # not the English month name


def test_a_custom_subject_with_an_empty_body_sends_the_standard_body(actor, in_language):
    in_language("cs")
    status = OrderStatus.objects.get(name="Shipped")
    StatusNotificationFactory(status=status, email_subject="Hotovo", email_body="")

    _order, message = mail_for(status, actor)

    assert message.subject == "Hotovo"
    assert "Děkujeme za vaši objednávku." in message.body


def test_an_empty_subject_is_valid_it_means_the_standard_one():
    note = StatusNotification(
        status=OrderStatus.objects.get(name="Shipped"), email_subject="", email_body=""
    )

    note.full_clean()  # no "An e-mail needs a subject" any more


def test_rendering_leaves_the_worker_s_language_as_it_was(actor, in_language):
    in_language("cs")
    status = OrderStatus.objects.get(name="Shipped")
    standard_email_on(status)
    translation.activate("en")

    mail_for(status, actor)

    assert translation.get_language() == "en"


def test_validation_messages_of_a_notification_follow_the_staff_language():
    note = StatusNotification(status=OrderStatus.objects.get(name="Shipped"), send_email=False)

    with translation.override("cs"), pytest.raises(ValidationError) as error:
        note.full_clean()

    assert error.value.message_dict["send_email"] == [
        "Pošlete e-mail, zavolejte webhook, nebo obojí."
    ]
