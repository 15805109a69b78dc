"""factory-boy factories for every model. Orders built here bypass the services on
purpose (fast fixtures); use `order_with_items` when money must be right."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders import services
from orders.actors import Actor
from orders.models import (
    ApiKey,
    Channel,
    Company,
    Customer,
    HistoryRecord,
    Order,
    OrderCount,
    OrderDiscount,
    OrderItem,
    Payment,
    PaymentMethod,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Shipment,
    ShipmentLine,
    Shipper,
    ShippingMethod,
    Tracking,
    parcels_state_for,
)
from statuses.models import OrderStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@shop.example")
    is_staff = True
    password = factory.django.Password("staff-password")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Seller {n} s.r.o.")
    street = "Main 1"
    city = "Prague"
    zip = "11000"
    state_code = "CZ"
    company_nr = factory.Sequence(lambda n: f"{10000000 + n}")
    company_vat = factory.LazyAttribute(lambda c: f"CZ{c.company_nr}")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    name = factory.Sequence(lambda n: f"Shop {n}")
    domain = factory.Sequence(lambda n: f"shop{n}.example")
    currency_code = "EUR"
    company = factory.SubFactory(CompanyFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@mail.example")
    phone = "+420 600 000 000"
    city = "Brno"
    state_code = "CZ"


class ShipperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipper

    name = factory.Sequence(lambda n: f"Carrier {n}")
    tracking_url_template = "https://carrier.example/track/{number}"


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    name = factory.Sequence(lambda n: f"Courier {n}")
    channel = factory.SubFactory(ChannelFactory)
    shipper = factory.SubFactory(ShipperFactory)
    price = Decimal("4.90")
    vat = Decimal("21")


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    name = factory.Sequence(lambda n: f"Card {n}")
    channel = factory.SubFactory(ChannelFactory)
    price = Decimal("0")


class OrderStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderStatus

    name = factory.Sequence(lambda n: f"Status {n}")
    color = "#123456"
    sort = factory.Sequence(lambda n: 1000 + n)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    channel = factory.SubFactory(ChannelFactory)
    company = factory.SelfAttribute("channel.company")
    customer = factory.SubFactory(CustomerFactory)
    email = factory.SelfAttribute("customer.email")
    name = factory.SelfAttribute("customer.name")
    street = "Long 5"
    city = "Brno"
    zip = "60200"
    state_code = "CZ"
    delivery_name = factory.SelfAttribute("name")
    delivery_street = "Long 5"
    delivery_city = "Brno"
    delivery_zip = "60200"
    delivery_state_code = "CZ"
    order_currency_code = "EUR"
    main_currency_code = "EUR"


class OrderCountFactory(factory.django.DjangoModelFactory):
    """A counter row as the PostgreSQL triggers write it (orders/counts.py): only tests
    that plant a wrong one make it by hand."""

    class Meta:
        model = OrderCount

    closing_state = "open"
    orders = 1


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    name = factory.Sequence(lambda n: f"Article {n}")
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    count = 1
    ordered = 1
    unit_price_base = Decimal("10.00")
    vat = Decimal("21")
    unit_price_final = Decimal("12.10")


class OrderDiscountFactory(factory.django.DjangoModelFactory):
    """A discount row alone: its lines are derived by the services (use
    services.order_discount_set when money must be right)."""

    class Meta:
        model = OrderDiscount

    order = factory.SubFactory(OrderFactory)
    type = "percent"
    value = Decimal("10")
    reason = "Loyal customer"
    actor = "staff"
    source = "admin"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    kind = "payment"
    status = "success"
    amount = Decimal("12.10")
    currency_code = factory.SelfAttribute("order.order_currency_code")
    actor = "GoPay"
    source = "api"


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    payment = factory.SubFactory(
        PaymentFactory, order=factory.SelfAttribute("..order"), kind="refund", amount=Decimal("-5")
    )
    amount = Decimal("5")
    extra_amount = Decimal("5")
    reason = "Damaged in transit"
    actor = "staff"
    source = "admin"


class RefundLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RefundLine

    refund = factory.SubFactory(RefundFactory)
    item = factory.SubFactory(OrderItemFactory, order=factory.SelfAttribute("..refund.order"))
    count = 1
    amount = Decimal("12.10")


class ShipmentFactory(factory.django.DjangoModelFactory):
    """A parcel row alone (packed, no lines): shipped_count and the order's shipping state
    are the parcel services' (`delivered_parcel` below writes a delivered one with lines)."""

    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    actor = "warehouse"
    source = "api"


class ShipmentLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShipmentLine

    shipment = factory.SubFactory(ShipmentFactory)
    item = factory.SubFactory(OrderItemFactory, order=factory.SelfAttribute("..shipment.order"))
    count = 1


class ReturnFactory(factory.django.DjangoModelFactory):
    """A return row alone (requested, no lines): returned_count and the delivered parcels
    are the return services' (use services.return_request when they must be right)."""

    class Meta:
        model = Return

    order = factory.SubFactory(OrderFactory)
    reason = "Too small"
    actor = "staff"
    source = "admin"


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnLine

    goods_return = factory.SubFactory(ReturnFactory)
    item = factory.SubFactory(OrderItemFactory, order=factory.SelfAttribute("..goods_return.order"))
    count = 1


class TrackingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tracking

    order = factory.SubFactory(OrderFactory)
    shipper = factory.SubFactory(ShipperFactory)
    tracking_number = factory.Sequence(lambda n: f"TRK{n:08d}")


class HistoryRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HistoryRecord

    order = factory.SubFactory(OrderFactory)
    type = "note"
    name = "Called the customer"
    actor = "staff"
    source = "admin"


class ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = factory.Sequence(lambda n: f"pfx{n:08d}")
    hashed_key = "not-a-usable-hash"


def order_with_items(*, items=2, currency="EUR", actor=None, **fields):
    """A real order made by the services: money, history and events as in production."""
    channel = fields.pop("channel", None) or ChannelFactory(currency_code=currency)
    return services.order_create(
        actor=actor or Actor.for_command("tests"),
        channel_id=channel.pk,
        email=fields.pop("email", "buyer@mail.example"),
        name=fields.pop("name", "Jana Nováková"),
        order_currency_code=currency,
        items=[
            services.ItemData(
                name=f"Article {n}", count=n + 1, vat=Decimal("21"), final_price=Decimal("12.10")
            )
            for n in range(items)
        ],
        **fields,
    )


def delivered_parcel(order, lines, *, state="delivered") -> Shipment:
    """A parcel of `lines` ((item, count) pairs of the order's products), written directly
    (not by the parcel service, so also where the services would refuse it): delivered (or
    `state`), its items' shipped_count bumped, the order's shipping state and dates set to
    what its parcels say (as the parcel services would leave them)."""
    now = timezone.now()
    parcel = Shipment.objects.create(
        order=order,
        state=state,
        date_sent=now if state in ("sent", "delivered") else None,
        date_delivered=now if state == "delivered" else None,
        actor="tests",
        source="command",
    )
    for item, count in lines:
        ShipmentLine.objects.create(shipment=parcel, item=item, count=count)
        OrderItem.objects.filter(pk=item.pk).update(shipped_count=F("shipped_count") + count)
    shipping = parcels_state_for(order)
    if shipping is not None:
        sent = shipping in ("sent", "partially_delivered", "delivered")
        Order.objects.filter(pk=order.pk).update(
            shipping_state=shipping,
            date_sent=Coalesce("date_sent", Value(now)) if sent else None,
            date_delivered=now if shipping == "delivered" else None,
        )
        order.refresh_from_db()
    return parcel


# --- Notifications and webhooks (the notifications app) ----------------------------------


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.WebhookSubscription"

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "http://127.0.0.1:9/hook"
    secret = factory.Sequence(lambda n: f"secret-{n}")
    events = factory.LazyFunction(lambda: ["order.status_changed", "order.paid"])


class StatusNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.StatusNotification"

    status = factory.SubFactory(OrderStatusFactory)
    send_email = True
    email_subject = "Order {{ order.id }} is now {{ status.name }}"
    email_body = "Dear {{ order.name }},\nyour order {{ order.id }} is {{ status.name }}.\n"
    webhook_url = ""


class OrderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.OrderEvent"

    order = factory.SubFactory(OrderFactory)
    type = "order.created"
    payload = factory.LazyAttribute(lambda e: {"order_id": e.order.pk})


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.IdempotencyRecord"

    api_key = factory.SubFactory(ApiKeyFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    method = "POST"
    path = "/System/Orders"
    request_hash = "0" * 64
    response_status = 200
    response_body = factory.LazyFunction(lambda: {"id": 1})


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Delivery"

    event = factory.SubFactory(OrderEventFactory)
    order_id = factory.SelfAttribute("event.order_id")
    kind = "webhook"
    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    target = factory.LazyAttribute(lambda d: f"sub:{d.subscription.pk}")


class DeliveryAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.DeliveryAttempt"

    delivery = factory.SubFactory(DeliveryFactory)
    number = 1
    started_at = factory.LazyFunction(timezone.now)
    response_code = 200
    succeeded = True


class OutboxCursorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.OutboxCursor"

    name = factory.Sequence(lambda n: f"cursor-{n}")
