"""Realistic sample data for demos, screenshots and load tests. Orders are made by the
services, so money, history and events are what production would have: shipping and
payment fees (free shipping above a threshold), discounts, partial payments, and refunds
of returned goods and of canceled orders."""

import random
import unicodedata
from decimal import Decimal

from django.db import transaction

from statuses.models import OrderStatus

from . import services
from .actors import Actor
from .models import Channel, Company, Order, PaymentMethod, Shipper, ShippingMethod

FIRST = ["Jana", "Petr", "Eva", "Tomáš", "Lucie", "Martin", "Anna", "Jakub", "Klára", "David"]
LAST = ["Nováková", "Svoboda", "Dvořáková", "Černý", "Veselá", "Procházka", "Králová", "Horák"]
CITIES = [("Praha", "11000"), ("Brno", "60200"), ("Ostrava", "70200"), ("Plzeň", "30100")]
ARTICLES = [
    ("TEA-001", "Green tea 100 g", Decimal("5.90"), Decimal("0.12")),
    ("MUG-002", "Ceramic mug", Decimal("12.50"), Decimal("0.35")),
    ("PEN-003", "Fountain pen", Decimal("34.00"), Decimal("0.05")),
    ("BAG-004", "Canvas bag", Decimal("19.90"), Decimal("0.20")),
    ("BOOK-005", "Notebook A5", Decimal("8.40"), Decimal("0.30")),
    ("LAMP-006", "Desk lamp", Decimal("49.00"), Decimal("1.40")),
]


def ascii_name(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def reference_data() -> dict:
    """The seller, channels, carriers and methods the demo orders use (made once)."""
    company, _ = Company.objects.get_or_create(
        name="Demo Shop s.r.o.",
        defaults={
            "street": "Václavské náměstí 1",
            "city": "Praha",
            "zip": "11000",
            "state_code": "CZ",
            "company_nr": "12345678",
            "company_vat": "CZ12345678",
            "email": "shop@demo.example",
        },
    )
    web, _ = Channel.objects.get_or_create(
        name="Web shop",
        defaults={"domain": "shop.example", "currency_code": "EUR", "company": company},
    )
    cz, _ = Channel.objects.get_or_create(
        name="Czech shop",
        defaults={
            "domain": "obchod.example",
            "currency_code": "CZK",
            "language": "cs",
            "company": company,
        },
    )
    ppl, _ = Shipper.objects.get_or_create(
        name="PPL", defaults={"tracking_url_template": "https://ppl.example/track/{number}"}
    )
    dpd, _ = Shipper.objects.get_or_create(
        name="DPD", defaults={"tracking_url_template": "https://dpd.example/parcel/{number}"}
    )
    shipping, _ = ShippingMethod.objects.get_or_create(
        name="Courier",
        channel=web,
        defaults={
            "shipper": ppl,
            "price": Decimal("4.90"),
            "vat": 21,
            "free_from": Decimal("100"),
        },
    )
    parcel_box, _ = ShippingMethod.objects.get_or_create(
        name="Parcel box",
        channel=cz,
        defaults={"shipper": dpd, "price": Decimal("79"), "vat": 21, "free_from": Decimal("2000")},
    )
    payment, _ = PaymentMethod.objects.get_or_create(name="Card", channel=web)
    cash, _ = PaymentMethod.objects.get_or_create(
        name="Cash on delivery", channel=web, defaults={"price": Decimal("1.50"), "vat": 21}
    )
    transfer, _ = PaymentMethod.objects.get_or_create(name="Bank transfer", channel=cz)
    return {
        "channels": [web, cz],
        "shippers": [ppl, dpd],
        "shipping": shipping,
        "payment": payment,
        # channel name -> (its shipping methods, its payment methods)
        "methods": {
            web.name: ([shipping], [payment, cash]),
            cz.name: ([parcel_box], [transfer]),
        },
        "statuses": dict(OrderStatus.objects.values_list("name", "id")),
    }


def create_order(rng: random.Random, ref: dict, actor: Actor, number: int):
    """One order with 1-5 items, taken some way along its lifecycle."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, zip_code = rng.choice(CITIES)
    channel = rng.choice(ref["channels"])
    rate = Decimal("25") if channel.currency_code == "CZK" else Decimal("1")
    items = [
        services.ItemData(
            name=name,
            code=code,
            count=rng.randint(1, 4),
            vat=Decimal("21"),
            final_price=price * rate,
            weight=weight,
            article_id=index + 1,
        )
        for index, (code, name, price, weight) in enumerate(rng.sample(ARTICLES, rng.randint(1, 5)))
    ]
    shippings, payments = ref["methods"][channel.name]
    order = services.order_create(
        actor=actor,
        items=items,
        channel_id=channel.pk,
        shipping_id=rng.choice(shippings).pk,
        payment_id=rng.choice(payments).pk,
        email=f"{ascii_name(first)}.{ascii_name(last)}{number}@mail.example",
        name=f"{first} {last}",
        street=f"Dlouhá {rng.randint(1, 200)}",
        city=city,
        zip=zip_code,
        state_code="CZ",
        phone=f"+420 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        delivery_name=f"{first} {last}",
        delivery_street=f"Dlouhá {rng.randint(1, 200)}",
        delivery_city=city,
        delivery_zip=zip_code,
        delivery_state_code="CZ",
        external_order_id=f"WEB-{number:07d}",
        ip=f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        domain=channel.domain,
        currency_rate=1 / rate,  # the demo's CZK prices are EUR x 25
    )
    discount = rng.random()
    if discount < 0.15:
        services.order_discount_set(
            order_id=order.pk,
            actor=actor,
            type="percent",
            value=Decimal("10"),
            reason="Loyal customer",
        )
    elif discount < 0.22:
        services.order_discount_set(
            order_id=order.pk, actor=actor, type="amount", value=5 * rate, reason="Voucher SPRING"
        )
    stage = rng.random()
    status = "New"
    if stage < 0.05:
        services.order_cancel(order_id=order.pk, actor=actor)
        status = "Canceled"
    elif stage < 0.12:
        # Paid, then canceled by the customer: the money goes back.
        paid = services.order_mark_paid(order_id=order.pk, actor=actor, payment_id=f"PAY-{number}")
        services.order_cancel(order_id=order.pk, actor=actor)
        services.order_refund(
            order_id=order.pk, actor=actor, amount=paid.paid, reason="Canceled by the customer"
        )
        status = "Canceled"
    if 0.3 < stage <= 0.4:
        # A deposit: half now, the rest later.
        half = (order.money / 2).quantize(Decimal("1"))
        services.order_mark_paid(
            order_id=order.pk, actor=actor, amount=half, payment_id=f"PAY-{number}"
        )
    elif stage > 0.4:
        services.order_mark_paid(order_id=order.pk, actor=actor, payment_id=f"PAY-{number}")
        status = "Paid"
    if stage > 0.5:
        shipper = rng.choice(ref["shippers"])
        services.order_tracking_add(
            order_id=order.pk,
            actor=actor,
            shipper_id=shipper.pk,
            tracking_number=f"{shipper.name}{number:09d}",
        )
        services.order_mark_sent(order_id=order.pk, actor=actor)
        status = "Shipped"
    if stage > 0.7:
        services.order_mark_delivered(order_id=order.pk, actor=actor)
        status = "Delivered"
    if stage > 0.85:
        status = "Completed"  # a complete_order status: assigning it marks the order done
    if status in ref["statuses"]:
        services.order_status_assign(
            order_id=order.pk, status_id=ref["statuses"][status], actor=actor
        )
    if stage > 0.93:
        # One unit came back damaged after delivery: refunded and marked returned.
        returned = order.items.filter(kind="product").first()
        services.order_refund(
            order_id=order.pk,
            actor=actor,
            lines=[(returned.pk, 1)],
            reason="Returned: damaged in transit",
            mark_returned=True,
        )
    return order


def seed(count: int, *, seed: int = 1, batch: int = 500, progress=None) -> int:
    """Create `count` orders; each batch commits once (every service still runs atomically
    inside it, as a savepoint). Returns how many were made."""
    rng = random.Random(seed)
    ref = reference_data()
    actor = Actor.for_command("seed_demo_data")
    start = _next_number()
    made = 0
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            for n in range(size):
                create_order(rng, ref, actor, start + made + n)
        made += size
        if progress:
            progress(size)
    return made


def _next_number() -> int:
    return (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
