"""The order page's money: methods and their fees, the discount form, the payments ledger,
the refund page. Every write goes through the services with the staff user."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import Order, Refund
from tests.admin.conftest import change_form_data, change_url, transition_url
from tests.factories import ShippingMethodFactory, delivered_parcel, order_with_items

pytestmark = pytest.mark.django_db
D = Decimal


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def discount_url(order) -> str:
    return reverse("admin:orders_order_discount", args=[order.pk])


def refund_url(order) -> str:
    return reverse("admin:orders_order_refund", args=[order.pk])


@pytest.fixture
def courier():
    return ShippingMethodFactory(name="Courier", price=D("4.90"))


@pytest.fixture
def paid_order(actor, courier):
    """36.30 of goods, a 4.90 courier, a 10 % discount (32.67 + 4.90), paid in full."""
    order = order_with_items(items=2, shipping_id=courier.pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=D("10"), reason="Loyal"
    )
    return services.order_mark_paid(order_id=order.pk, actor=actor, payment_id="GP-7")


def test_the_page_shows_fees_discounts_payments_and_refunds(admin_client, paid_order, actor):
    tea = paid_order.items.get(name="Article 1")
    services.order_refund(
        order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 1)], reason="Chipped mug"
    )

    page = admin_client.get(change_url(paid_order))

    html = page.content.decode()
    assert page.status_code == 200
    # Fee and discount lines under Money, not in the editable items.
    for shown in ("Shipping fee", "Courier", "€4.90", "Discount 10 %: Loyal", "-€3.63"):
        assert shown in html
    items = page.context["inline_admin_formsets"][0].formset
    assert {form.instance.kind for form in items.initial_forms} == {"product"}
    # The ledger and the refund, read-only.
    for shown in ("GP-7", "€37.57", "Chipped mug", "€10.89", "Refunded"):
        assert shown in html
    assert f'href="{refund_url(paid_order)}"' in html


def test_saving_the_page_untouched_keeps_every_line(admin_client, paid_order):
    page = admin_client.get(change_url(paid_order))

    response = admin_client.post(change_url(paid_order), change_form_data(page))

    assert response.status_code == 302
    order = Order.objects.get(pk=paid_order.pk)
    assert (order.money, order.items.count(), order.version) == (D("37.57"), 4, paid_order.version)


def test_changing_the_shipping_method_on_the_page_charges_its_fee(admin_client, superuser):
    order = order_with_items(items=1)
    pickup = ShippingMethodFactory(name="Pickup point", price=D("2.50"))
    page = admin_client.get(change_url(order))

    admin_client.post(change_url(order), change_form_data(page) | {"shipping": pickup.pk})

    order.refresh_from_db()
    assert (order.shipping, order.money) == (pickup, D("14.60"))
    record = order.history.get(name="Shipping method set to Pickup point")
    assert (record.user, record.changes["shipping_fee"]) == (superuser, [None, "2.50"])


def test_the_methods_are_read_only_once_sent(admin_client, paid_order, actor):
    services.order_mark_sent(order_id=paid_order.pk, actor=actor)
    page = admin_client.get(change_url(paid_order))
    fields = page.context["adminform"].form.fields
    assert "shipping" not in fields
    assert "payment" not in fields
    assert "Set discount" not in page.content.decode()


def test_setting_and_removing_the_discount(admin_client, superuser):
    order = order_with_items(items=2)  # 36.30

    response = admin_client.post(
        discount_url(order), {"type": "amount", "value": "6.30", "reason": "Late delivery"}
    )

    assert response.status_code == 302
    assert messages_of(response) == [f"Order {order.pk} discount set: money is now €30.00."]
    order.refresh_from_db()
    assert order.discount.reason == "Late delivery"
    assert order.history.first().user == superuser
    admin_client.post(discount_url(order), {"remove": "1"})
    assert Order.objects.get(pk=order.pk).money == D("36.30")


def test_a_bad_or_refused_discount_changes_nothing(admin_client, actor):
    order = order_with_items(items=1)
    response = admin_client.post(discount_url(order), {"type": "percent", "value": "5"})
    assert messages_of(response)[-1] == "Discount not set: Reason: This field is required."
    response = admin_client.post(
        discount_url(order), {"type": "percent", "value": "120", "reason": "x"}
    )
    assert messages_of(response)[-1] == "A percentage discount is at most 100."
    services.order_mark_sent(order_id=order.pk, actor=actor)
    response = admin_client.post(
        discount_url(order), {"type": "percent", "value": "5", "reason": "x"}
    )
    assert messages_of(response)[-1].startswith(f"Order {order.pk} discount cannot change")
    assert Order.objects.get(pk=order.pk).money == D("12.10")
    assert admin_client.get(discount_url(order)).status_code == 405


def test_the_refund_page_shows_each_line_with_its_maximum(admin_client, paid_order):
    page = admin_client.get(refund_url(paid_order))

    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="refund-maximum">€37.57</strong>' in html
    rows = {option.item.name: (option.left, worth) for option, _, worth in page.context["rows"]}
    # Products at their price after the 10 % discount; the fee in full; no discount line.
    assert rows == {"Article 0": (1, "€10.89"), "Article 1": (2, "€21.78"), "Courier": (1, "€4.90")}
    tea = paid_order.items.get(name="Article 1")
    assert f'name="count_{tea.pk}" id="id_count_{tea.pk}" min="0" max="2"' in html


def test_refunding_lines_from_the_page(admin_client, superuser, paid_order):
    tea = paid_order.items.get(name="Article 1")
    fee = paid_order.items.get(kind="shipping")
    delivered_parcel(paid_order, [(tea, 2)])  # products come back from delivered parcels

    response = admin_client.post(
        refund_url(paid_order),
        {
            f"count_{tea.pk}": "1",
            f"count_{fee.pk}": "1",
            "amount": "",
            "reason": "Arrived broken",
            "mark_returned": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(paid_order)
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.user) == (D("15.79"), "Arrived broken", superuser)
    assert messages_of(response) == [f"Order {paid_order.pk} refunded €15.79."]
    tea.refresh_from_db()
    assert tea.returned_count == 1
    order = Order.objects.get(pk=paid_order.pk)
    assert (order.paid, order.payment_state) == (D("21.78"), "partially_refunded")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "x"}, "Choose lines to refund or give an amount."),
        ({"amount": "50", "reason": "x"}, "A refund of 50.00 EUR is more than the 37.57 EUR"),
        ({"count_tea": "3", "reason": "x"}, "Ensure this value is less than or equal to 2."),
        ({"amount": "5"}, "This field is required."),
    ],
)
def test_a_refund_the_rules_refuse_is_shown_and_changes_nothing(
    admin_client, paid_order, data, error
):
    tea = paid_order.items.get(name="Article 1")
    data = {key.replace("tea", str(tea.pk)): value for key, value in data.items()}

    response = admin_client.post(refund_url(paid_order), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Refund.objects.exists()


def test_support_staff_cannot_refund(support_client, paid_order):
    assert support_client.get(refund_url(paid_order)).status_code == 403
    response = support_client.post(refund_url(paid_order), {"amount": "1", "reason": "x"})
    assert response.status_code == 403
    assert 'id="refund-button"' not in support_client.get(change_url(paid_order)).content.decode()
    assert not Refund.objects.exists()


def test_order_managers_may_refund(manager_client, paid_order):
    page = manager_client.get(change_url(paid_order))
    assert 'id="refund-button"' in page.content.decode()
    response = manager_client.post(refund_url(paid_order), {"amount": "1", "reason": "Sorry"})
    assert response.status_code == 302
    assert Refund.objects.get().amount == D("1")


def test_no_refund_button_while_nothing_is_held(admin_client, order):
    assert 'id="refund-button"' not in admin_client.get(change_url(order)).content.decode()


def test_lowering_paid_from_the_button_needs_a_reason(admin_client, paid_order):
    response = admin_client.post(transition_url(paid_order, "paid"), {"amount": "30"})
    assert messages_of(response)[0].startswith("Lowering paid from 37.57 to 30.00 EUR")

    admin_client.post(transition_url(paid_order, "paid"), {"amount": "30", "reason": "Typo"})

    order = Order.objects.get(pk=paid_order.pk)
    assert order.paid == D("30.00")
    assert order.payments.last().reason == "Typo"
