"""Realistic sample data for demos, screenshots and load tests.

Each order is a *story*: a customer, a basket, and the steps that happen to it over the
last 90 days, each at its own moment, with a shop's timing. A card pays within minutes of
the order and a bank transfer within hours or a day or two; the parcel is packed on a working
day 1-3 days after the payment, leaves with the carrier's pick-up hours later and arrives
1-4 days later; cash on delivery is paid at the door; a delivered order is closed two weeks
later. Some orders go out in two parcels (an item waited for stock), some parcels come
back to the shop (not picked up) and go out again, some goods come back from the customer
(a return: requested, received days later, refunded the next working day, or turned
down). Some orders are canceled or refunded, and some wait: not paid yet, paid but not
sent (stock is late), partly sent, sent and not delivered, a return on its way back. A
story stops at the present, so the recent orders are still on their way.

Every step runs through the services, so money, history, statuses and events are what
production would have. The services stamp the present, though, so `backdate` then moves
what each step wrote to that step's moment (the dates inside history changes and event
payloads too): the one place here that writes directly.

`plan` writes the stories (pure, deterministic for a seed), `play` acts one out. To add a
kind of step: a function in ACTIONS, and the step in the fates that need it (`_steps`);
a model the new step's service stamps with the time goes in STAMPED (a JSON field that
records it in STAMPED_JSON).
"""

import bisect
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from statuses.models import OrderStatus

from . import services
from .actors import Actor
from .models import (
    Channel,
    Company,
    Customer,
    HistoryRecord,
    ItemKind,
    Order,
    OrderDiscount,
    OrderEvent,
    OrderItem,
    Payment,
    PaymentMethod,
    Refund,
    Return,
    Shipment,
    Shipper,
    ShippingMethod,
    Tracking,
)
from .money import round_money

DAYS = 90  # how far back the orders go

# Czech first names and surnames by gender: a woman's surname takes its feminine form.
WOMEN = ["Jana", "Eva", "Lucie", "Anna", "Klára", "Tereza", "Petra", "Kateřina", "Lenka",
         "Veronika", "Markéta", "Barbora", "Hana", "Martina", "Zuzana"]  # fmt: skip
MEN = ["Petr", "Tomáš", "Martin", "Jakub", "David", "Jan", "Jiří", "Pavel", "Lukáš", "Ondřej",
       "Michal", "Josef", "Filip", "Vojtěch", "Marek"]  # fmt: skip
SURNAMES = [  # (his, hers)
    ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
    ("Pokorný", "Pokorná"), ("Hájek", "Hájková"), ("Král", "Králová"), ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"), ("Beneš", "Benešová"), ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"),
]  # fmt: skip
# (street, city, postcode): real streets of their towns, with the town's postcode.
ADDRESSES = [
    ("Vinohradská", "Praha 2", "120 00"), ("Korunní", "Praha 2", "120 00"),
    ("Seifertova", "Praha 3", "130 00"), ("Dejvická", "Praha 6", "160 00"),
    ("Národní", "Praha 1", "110 00"), ("Masarykova", "Brno", "602 00"),
    ("Kounicova", "Brno", "602 00"), ("Nádražní", "Ostrava", "702 00"),
    ("Americká", "Plzeň", "301 00"), ("Riegrova", "Olomouc", "779 00"),
    ("Lannova", "České Budějovice", "370 01"), ("Pařížská", "Ústí nad Labem", "400 01"),
    ("Moskevská", "Liberec", "460 01"), ("Gočárova třída", "Hradec Králové", "500 02"),
    ("Třída Míru", "Pardubice", "530 02"), ("Štefánikova", "Zlín", "760 01"),
]  # fmt: skip
ARTICLES = [  # code, name, price with VAT in EUR, weight in kg
    ("TEA-001", "Green tea 100 g", Decimal("5.90"), Decimal("0.12")),
    ("MUG-002", "Ceramic mug", Decimal("12.50"), Decimal("0.35")),
    ("PEN-003", "Fountain pen", Decimal("34.00"), Decimal("0.05")),
    ("BAG-004", "Canvas bag", Decimal("19.90"), Decimal("0.20")),
    ("BOOK-005", "Notebook A5", Decimal("8.40"), Decimal("0.30")),
    ("LAMP-006", "Desk lamp", Decimal("49.00"), Decimal("1.40")),
    ("POT-007", "Tea pot 1 l", Decimal("27.50"), Decimal("0.90")),
    ("HONEY-008", "Forest honey 500 g", Decimal("9.80"), Decimal("0.60")),
]
CZK_PER_EUR = Decimal("25")  # the demo's CZK prices are its EUR prices x 25

# How an order's story ends, and how often: of every 100 orders (in a shuffled deck, so
# each hundred has them all). The waiting ones keep the dashboard's panels filled: not
# paid, paid and not (all) sent, sent and not delivered, a return to settle.
FATES = {
    "completed": 45,  # paid, sent in one parcel, delivered, closed two weeks later
    "two_parcels": 6,  # an item waited for stock: it left days after the rest; closed
    "not_picked_up": 2,  # the parcel came back to the shop, went out again, delivered
    "cash_on_delivery": 14,  # sent, delivered and paid at the door, closed later
    "returned": 5,  # delivered; goods came back (a return), received and refunded
    "return_on_its_way": 2,  # delivered; the customer asked to return goods: not back yet
    "return_to_refund": 1,  # ... they came back: the refund waits for staff
    "return_rejected": 1,  # ... they came back used: the return was turned down
    "deposit": 3,  # half paid with the order, the rest a week or so later, then sent
    "awaiting_payment": 2,  # a recent bank transfer, not paid yet
    "not_paid_in_time": 4,  # a bank transfer never paid: canceled after its due date
    "canceled_by_customer": 4,  # canceled within hours, before paying
    "canceled_and_refunded": 4,  # paid, canceled the same day, the money sent back
    "waiting_for_stock": 2,  # paid days ago, not sent: the supplier is late
    "partially_sent": 2,  # paid, sent without the item that waits for stock
    "lost_in_transit": 3,  # sent over a week ago, not delivered
}
# Fates that only make sense at some age: days ago the order was placed (from, to), so
# that the story has reached its point by now (and the waiting ones still wait).
PLACED = {
    "awaiting_payment": (0, 5),
    "deposit": (0, 30),
    "waiting_for_stock": (4, 20),
    "partially_sent": (8, 15),
    "lost_in_transit": (10, 30),
    "return_on_its_way": (12, 22),
    "return_to_refund": (16, 26),
}
# Fates whose basket has two products or more: one of them waits for stock.
SPLIT = ("two_parcels", "partially_sent")
# Fates in which goods come back from the customer: a return, and how it ends.
RETURNS = ("returned", "return_on_its_way", "return_to_refund", "return_rejected")
RETURN_REASONS = ["Damaged in transit", "Too small", "Not as pictured", "Wrong colour",
                  "Changed my mind"]  # fmt: skip
# Hour of the day -> how many orders come in then: few in the morning, most in the evening.
ORDER_HOURS = {7: 1, 8: 2, 9: 3, 10: 3, 11: 3, 12: 4, 13: 4, 14: 4, 15: 4, 16: 4, 17: 5, 18: 6,
               19: 7, 20: 7, 21: 6, 22: 4, 23: 2}  # fmt: skip
CLOSE_AFTER = timedelta(days=14)  # delivered and paid orders are closed after this
TRACKING_NUMBERS = 40_000_000_000  # + story number x 10 + parcel number: 11 digits
# A parcel's box and filling: kg it weighs beyond its goods.
PACKAGING = [Decimal("0.15"), Decimal("0.25"), Decimal("0.40"), Decimal("0.60")]


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

    def shipping(name, channel, shipper, price, free_from):
        return ShippingMethod.objects.get_or_create(
            name=name,
            channel=channel,
            defaults={"shipper": shipper, "price": price, "vat": 21, "free_from": free_from},
        )[0]

    def payment(name, channel, price=Decimal("0")):
        vat = 21 if price else 0
        return PaymentMethod.objects.get_or_create(
            name=name, channel=channel, defaults={"price": price, "vat": vat}
        )[0]

    courier = shipping("Courier", web, ppl, Decimal("4.90"), Decimal("100"))
    card = payment("Card", web)
    methods = {
        # channel name -> (its shipping methods, its payment methods by kind)
        web.name: (
            [courier, shipping("Parcel box", web, dpd, Decimal("3.50"), Decimal("80"))],
            {
                "card": card,
                "transfer": payment("Bank transfer", web),
                "cash": payment("Cash on delivery", web, Decimal("1.50")),
            },
        ),
        cz.name: (
            [
                shipping("Parcel box", cz, dpd, Decimal("79"), Decimal("2000")),
                shipping("Courier", cz, ppl, Decimal("119"), Decimal("2500")),
            ],
            {
                "card": payment("Card", cz),
                "transfer": payment("Bank transfer", cz),
                "cash": payment("Cash on delivery", cz, Decimal("39")),
            },
        ),
    }
    return {
        "channels": [web, cz],
        "shippers": [ppl, dpd],
        "shipping": courier,
        "payment": card,
        "methods": methods,
        "statuses": dict(OrderStatus.objects.values_list("name", "id")),
    }


# --- the stories ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    phone: str
    street: str
    city: str
    zip: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Step:
    """One thing that happens to the order: ACTIONS[action](story, step, actor) at `at`."""

    action: str
    at: datetime
    args: dict = field(default_factory=dict)


@dataclass
class Story:
    number: int  # of the external order id, the payment id and the tracking number
    fate: str
    person: Person
    channel: Channel
    items: list
    shipping: ShippingMethod
    payment: PaymentMethod
    steps: list[Step]
    order_id: int | None = None  # set by the "create" step
    parcels: dict = field(default_factory=dict)  # the story's parcel number -> Shipment id
    return_id: int | None = None  # set by the "return" step


class _Clock:
    """Moments in the shop's time zone, drawn from the story's random generator."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.zone = timezone.get_current_timezone()

    def on(self, day: date, earliest: int, latest: int) -> datetime:
        """A moment of `day` between the hours `earliest` and `latest`."""
        minute = self.rng.randint(earliest * 60, latest * 60 - 1)
        moment = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return moment.replace(second=self.rng.randint(0, 59))

    def after(self, moment: datetime, low: timedelta, high: timedelta) -> datetime:
        seconds = self.rng.uniform(low.total_seconds(), high.total_seconds())
        return moment + timedelta(seconds=round(seconds))

    def working_day(self, moment: datetime, days: tuple[int, int], *, saturday=False) -> date:
        """A day `days` (from, to) after the moment's, moved past Sunday (and Saturday)."""
        day = timezone.localtime(moment, self.zone).date()
        day += timedelta(days=self.rng.randint(*days))
        while day.weekday() == 6 or (day.weekday() == 5 and not saturday):
            day += timedelta(days=1)
        return day

    def placed(self, fate: str) -> datetime:
        """When the order came in: a growing shop (twice as busy now as 90 days ago), mostly
        in the afternoon and evening."""
        low, high = PLACED.get(fate, (0, DAYS - 1))
        while True:
            days_ago = self.rng.uniform(low, high + 1)
            if self.rng.random() < 1 - days_ago / (2 * DAYS):
                break
        day = timezone.localtime(self.now, self.zone).date() - timedelta(days=int(days_ago))
        hour = self.rng.choices(list(ORDER_HOURS), weights=list(ORDER_HOURS.values()))[0]
        moment = self.on(day, hour, hour + 1)
        return min(moment, self.now - timedelta(minutes=self.rng.randint(1, 120)))


def _person(rng: random.Random, taken: set[str]) -> Person:
    his, hers = rng.choice(SURNAMES)
    woman = rng.random() < 0.55
    first, last = (rng.choice(WOMEN), hers) if woman else (rng.choice(MEN), his)
    street, city, zip_code = rng.choice(ADDRESSES)
    local = f"{ascii_name(first)}.{ascii_name(last)}"
    email, n = f"{local}@mail.example", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@mail.example"
    taken.add(email)
    return Person(
        first=first,
        last=last,
        email=email,
        phone=f"+420 {rng.choice('67')}{rng.randint(10, 99)} {rng.randint(100, 999)} "
        f"{rng.randint(100, 999)}",
        street=f"{street} {rng.randint(1, 120)}",
        city=city,
        zip=zip_code,
    )


def _basket(rng: random.Random, channel: Channel, *, products: int = 1) -> list:
    """A few products (at least `products`), mostly one or two, mostly one of each."""
    rate = CZK_PER_EUR if channel.currency_code == "CZK" else Decimal("1")
    count = max(rng.choices([1, 2, 3, 4], [5, 4, 2, 1])[0], products)
    chosen = rng.sample(range(len(ARTICLES)), count)
    items = []
    for index in sorted(chosen):
        code, name, price, weight = ARTICLES[index]
        final = (price * rate).to_integral_value() if rate != 1 else price  # whole crowns
        items.append(
            services.ItemData(
                name=name,
                code=code,
                count=rng.choices([1, 2, 3], [7, 2, 1])[0],
                vat=Decimal("21"),
                final_price=final,
                weight=weight,
                article_id=index + 1,
            )
        )
    return items


def _payment_kind(rng: random.Random, fate: str) -> str:
    if fate == "cash_on_delivery":
        return "cash"
    if fate in ("awaiting_payment", "not_paid_in_time"):
        return "transfer"
    return rng.choices(["card", "transfer"], [3, 1])[0]


def _steps(clock: _Clock, fate: str, pay_kind: str, statuses: dict, items: list) -> list[Step]:
    """The order's steps for its fate, in time order. `items` is the basket: steps name
    its products by their place in it (the order's product lines, in the same order)."""
    rng = clock.rng
    placed = clock.placed(fate)
    steps = [Step("create", placed)]
    first_status = "Awaiting payment" if pay_kind == "transfer" else "New"
    if first_status in statuses:
        steps.append(Step("status", placed, {"status_id": statuses[first_status]}))
    discount = rng.random()
    if discount < 0.15:
        steps.append(Step("discount", placed, {"type": "percent", "reason": "Loyal customer"}))
    elif discount < 0.22:
        steps.append(Step("discount", placed, {"type": "amount", "reason": "Voucher SPRING"}))

    def step(action: str, at: datetime, **args) -> datetime:
        steps.append(Step(action, at, args))
        return at

    def pay(after: datetime, **args) -> datetime:
        if pay_kind == "card":
            moment = clock.after(after, timedelta(minutes=1), timedelta(minutes=20))
        else:  # a bank transfer: hours, sometimes the next day or two
            moment = clock.after(after, timedelta(hours=2), timedelta(hours=48))
        return step("pay", moment, **args)

    def processing(at: datetime) -> None:
        if "Processing" in statuses:
            step("status", at, status_id=statuses["Processing"])

    def send(after: datetime, parcel: int, days=(1, 3), hold: int | None = None) -> datetime:
        """Parcel `parcel` packed on a working day `days` after the moment (without the
        product `hold`, which waits), and taken by the carrier's pick-up within hours."""
        packed = clock.on(clock.working_day(after, days), 8, 14)
        step("pack", packed, parcel=parcel, hold=hold, packaging=rng.choice(PACKAGING))
        sent = clock.after(packed, timedelta(minutes=30), timedelta(hours=3))
        return step("send", sent, parcel=parcel)

    def deliver(sent: datetime, parcel: int) -> datetime:
        day = clock.working_day(sent, (1, 4), saturday=True)
        return step("deliver", clock.on(day, 8, 18), parcel=parcel)

    def nightly_close(delivered: datetime) -> datetime:
        # At night, as a daily `close_delivered_orders --after-days 14` would.
        day = timezone.localtime(delivered + CLOSE_AFTER, clock.zone).date() + timedelta(days=1)
        return clock.on(day, 2, 3)

    def ship(paid: datetime) -> datetime | None:
        """The paid order's parcels: when the last one arrived (None if it has not)."""
        if fate in ("waiting_for_stock", *SPLIT) or rng.random() < 0.3:
            processed = clock.after(paid, timedelta(hours=1), timedelta(hours=6))
            processing(processed)
            if fate == "waiting_for_stock":
                step("note", processed, text="Waiting for stock: the supplier is late")
                return None
        if fate in SPLIT:  # one product waits for stock: the rest goes out first
            hold = rng.randrange(len(items))
            sent = send(paid, 1, hold=hold)
            step("note", sent, text=f"{items[hold].name} waits for stock: it follows later")
            first = deliver(sent, 1)
            if fate == "partially_sent":
                return None
            return max(first, deliver(send(sent, 2, days=(3, 8)), 2))
        sent = send(paid, 1)
        if fate == "lost_in_transit":
            asked = clock.on(clock.working_day(sent, (7, 8)), 9, 16)
            step("note", asked, text="Not delivered yet: asked the carrier")
            return None
        if fate == "not_picked_up":  # the pick-up point sends it back after a week
            back = clock.on(clock.working_day(sent, (9, 11)), 9, 16)
            step("back_to_sender", back, parcel=1)
            step("note", back, text="Not picked up: the customer asked us to send it again")
            processing(back)
            return deliver(send(back, 2, days=(1, 2)), 2)
        return deliver(sent, 1)

    if fate == "cash_on_delivery":
        delivered = deliver(send(placed, 1), 1)
        step("pay", clock.after(delivered, timedelta(minutes=2), timedelta(minutes=90)))
        step("done", nightly_close(delivered))
    elif fate == "not_paid_in_time":
        due = timezone.localtime(placed, clock.zone).date()
        due += timedelta(days=settings.ORDER_MATURITY_DAYS)
        canceled = clock.on(clock.working_day(clock.on(due, 9, 10), (1, 3)), 9, 16)
        step("note", canceled, text="Not paid by the due date")
        step("cancel", canceled)
    elif fate == "canceled_by_customer":
        canceled = clock.after(placed, timedelta(minutes=30), timedelta(hours=10))
        step("note", canceled, text="The customer canceled by phone")
        step("cancel", canceled)
    elif fate == "canceled_and_refunded":
        canceled = step("cancel", clock.after(pay(placed), timedelta(hours=1), timedelta(hours=12)))
        refunded = clock.after(canceled, timedelta(minutes=5), timedelta(hours=3))
        step("refund", refunded, reason="Canceled by the customer")
    elif fate != "awaiting_payment":  # paid, and then on its way
        if fate == "deposit":
            deposit = pay(placed, share=Decimal("0.5"))
            paid = pay(clock.after(deposit, timedelta(days=3), timedelta(days=12)))
        else:
            paid = pay(placed)
        delivered = ship(paid)
        if delivered is not None:
            closed = nightly_close(delivered)
            if fate in RETURNS:
                refunded = _return_steps(clock, fate, items, delivered, step)
                if refunded is not None and refunded < closed:
                    # Partly refunded, the night's close passes it by: closed by hand.
                    closed = clock.after(refunded, timedelta(minutes=30), timedelta(hours=4))
            step("done", closed)
    # In time order: a return and the nightly close run side by side.
    return sorted(steps, key=lambda s: s.at)


def _return_steps(clock: _Clock, fate: str, items: list, delivered: datetime, step):
    """Goods of a delivered order come back: asked for within the customer's 14 days, in
    the post for days, then refunded the next working day or turned down. Answers when
    the refund was made (None without one)."""
    rng = clock.rng
    line = rng.randrange(len(items))
    count = rng.randint(1, items[line].count)
    reason = "Changed my mind" if fate == "return_rejected" else rng.choice(RETURN_REASONS)
    day = clock.working_day(delivered, (1, 9), saturday=True)
    asked = step("return", clock.on(day, 8, 22), item=line, count=count, reason=reason)
    if fate == "return_on_its_way":
        return None
    received = step("receive", clock.on(clock.working_day(asked, (2, 5)), 9, 16))
    if fate == "return_to_refund":
        return None
    checked = clock.on(clock.working_day(received, (1, 1)), 9, 16)
    if fate == "return_rejected":
        step("note", checked, text=f"{items[line].name} came back used: not taken back")
        step("reject", checked)
        return None
    return step("refund_return", checked)


def plan(
    count: int, *, ref: dict, now: datetime, seed: int = 1, start: int = 1, variant: int = 0
) -> list[Story]:
    """`count` stories up to `now`, oldest order first, numbered from `start`. The same
    arguments give the same stories; `variant` (the orders made before) makes a second
    run tell other ones."""
    rng = random.Random(f"{seed}:{variant}")
    clock = _Clock(rng, now)
    taken: set[str] = set()
    people: list[Person] = []
    deck: list[str] = []
    stories = []
    for _ in range(count):
        if not deck:
            deck = [fate for fate, share in FATES.items() for _ in range(share)]
            rng.shuffle(deck)
        fate = deck.pop()
        if people and rng.random() < 0.2:
            person = rng.choice(people)  # a returning customer
        else:
            person = _person(rng, taken)
            people.append(person)
        channel = rng.choice(ref["channels"])
        shippings, payments = ref["methods"][channel.name]
        pay_kind = _payment_kind(rng, fate)
        items = _basket(rng, channel, products=2 if fate in SPLIT else 1)
        steps = _steps(clock, fate, pay_kind, ref["statuses"], items)
        stories.append(
            Story(
                number=0,
                fate=fate,
                person=person,
                channel=channel,
                items=items,
                shipping=rng.choice(shippings),
                payment=payments[pay_kind],
                # Only what has happened by now: the recent orders are still on their way.
                steps=[step for step in steps if step.at <= now],
            )
        )
    stories.sort(key=lambda story: story.steps[0].at)
    for number, story in enumerate(stories, start):
        story.number = number
    return stories


# --- acting them out -----------------------------------------------------------------------


def _create(story: Story, step: Step, actor: Actor) -> None:
    person, channel = story.person, story.channel
    order = services.order_create(
        actor=actor,
        items=story.items,
        channel_id=channel.pk,
        shipping_id=story.shipping.pk,
        payment_id=story.payment.pk,
        date_order=step.at,
        email=person.email,
        name=person.name,
        street=person.street,
        city=person.city,
        zip=person.zip,
        state_code="CZ",
        phone=person.phone,
        delivery_name=person.name,
        delivery_street=person.street,
        delivery_city=person.city,
        delivery_zip=person.zip,
        delivery_state_code="CZ",
        external_order_id=f"WEB-{story.number:07d}",
        ip=f"10.0.{story.number // 250 % 256}.{story.number % 250 + 1}",
        domain=channel.domain,
        currency_rate=_currency_rate(channel.currency_code),
    )
    story.order_id = order.pk


def _currency_rate(currency: str) -> Decimal | None:
    """Units of the main currency per unit of `currency` at the demo's own prices (25 CZK to
    the euro), whichever of the two is the main one; None (the configured rate) otherwise."""
    main = settings.MAIN_CURRENCY
    in_euros = {"EUR": Decimal("1"), "CZK": 1 / CZK_PER_EUR}
    if currency == main or currency in settings.CURRENCY_RATES or main not in in_euros:
        return None
    return in_euros[currency] / in_euros[main] if currency in in_euros else None


def _status(story: Story, step: Step, actor: Actor) -> None:
    services.order_status_assign(
        order_id=story.order_id, status_id=step.args["status_id"], actor=actor
    )


def _discount(story: Story, step: Step, actor: Actor) -> None:
    rate = CZK_PER_EUR if story.channel.currency_code == "CZK" else Decimal("1")
    value = Decimal("10") if step.args["type"] == "percent" else 5 * rate
    services.order_discount_set(
        order_id=story.order_id,
        actor=actor,
        type=step.args["type"],
        value=value,
        reason=step.args["reason"],
    )


def _pay(story: Story, step: Step, actor: Actor) -> None:
    amount = None  # in full
    if share := step.args.get("share"):
        order = Order.objects.only("money", "order_currency_code").get(pk=story.order_id)
        amount = round_money(order.money * share, order.order_currency_code)
    services.order_mark_paid(
        order_id=story.order_id, actor=actor, amount=amount, payment_id=f"PAY-{story.number}"
    )


def _products(story: Story) -> list[OrderItem]:
    """The order's product lines, in the basket's order."""
    return list(
        OrderItem.objects.filter(order_id=story.order_id, kind=ItemKind.PRODUCT).order_by("id")
    )


def _pack(story: Story, step: Step, actor: Actor) -> None:
    """Parcel `parcel`: every unit not yet in one (but the product `hold`, which waits),
    with the carrier's next tracking number, weighing its goods and the packaging."""
    products = _products(story)
    held = None if step.args["hold"] is None else products[step.args["hold"]]
    lines = [
        (item, item.count - item.shipped_count)
        for item in products
        if item.shipped_count < item.count and item != held
    ]
    weight = sum((item.weight * count for item, count in lines), step.args["packaging"])
    shipper = story.shipping.shipper
    parcel = step.args["parcel"]
    shipment = services.shipment_create(
        order_id=story.order_id,
        actor=actor,
        lines=[(item.pk, count) for item, count in lines],
        shipper_id=shipper.pk if shipper else None,
        tracking_number=str(TRACKING_NUMBERS + story.number * 10 + parcel) if shipper else None,
        weight=weight,
    )
    story.parcels[parcel] = shipment.pk


def _parcel_step(service):
    def act(story: Story, step: Step, actor: Actor) -> None:
        shipment_id = story.parcels[step.args["parcel"]]
        service(order_id=story.order_id, shipment_id=shipment_id, actor=actor)

    return act


def _done(story: Story, step: Step, actor: Actor) -> None:
    services.order_mark_done(order_id=story.order_id, actor=actor)


def _cancel(story: Story, step: Step, actor: Actor) -> None:
    services.order_cancel(order_id=story.order_id, actor=actor)


def _refund(story: Story, step: Step, actor: Actor) -> None:
    """Everything still held goes back."""
    order = Order.objects.only("paid", "refunded").get(pk=story.order_id)
    services.order_refund(
        order_id=story.order_id,
        actor=actor,
        amount=order.paid - order.refunded,
        reason=step.args["reason"],
    )


def _return(story: Story, step: Step, actor: Actor) -> None:
    """The customer sends back `count` units of the product `item`."""
    item = _products(story)[step.args["item"]]
    goods_return = services.return_request(
        order_id=story.order_id,
        actor=actor,
        lines=[(item.pk, step.args["count"])],
        reason=step.args["reason"],
    )
    story.return_id = goods_return.pk


def _return_step(service):
    def act(story: Story, step: Step, actor: Actor) -> None:
        service(order_id=story.order_id, return_id=story.return_id, actor=actor)

    return act


def _note(story: Story, step: Step, actor: Actor) -> None:
    services.order_history_add(
        order_id=story.order_id, actor=actor, type="note", name=step.args["text"]
    )


ACTIONS = {
    "create": _create,
    "status": _status,
    "discount": _discount,
    "pay": _pay,
    "pack": _pack,
    "send": _parcel_step(services.shipment_mark_sent),
    "deliver": _parcel_step(services.shipment_mark_delivered),
    "back_to_sender": _parcel_step(services.shipment_mark_returned),
    "done": _done,
    "cancel": _cancel,
    "refund": _refund,
    "return": _return,
    "receive": _return_step(services.return_mark_received),
    "refund_return": _return_step(services.return_refund),
    "reject": _return_step(services.return_reject),
    "note": _note,
}

# What the services stamp with the present, per order: model -> its timestamp fields.
STAMPED = {
    HistoryRecord: ("created_at",),
    OrderEvent: ("created_at",),
    OrderItem: ("created_at",),
    Tracking: ("created_at",),
    Shipment: ("created_at", "date_sent", "date_delivered", "date_returned"),
    Return: ("created_at", "date_received", "date_refunded", "date_rejected"),
    OrderDiscount: ("created_at",),
    Payment: ("created_at",),
    Refund: ("created_at",),
    Order: (
        "created_at",
        "updated_at",
        "date_paid",
        "date_sent",
        "date_delivered",
        "date_done",
        "date_canceled",
    ),
}


def backdate(order_id: int, moments: list[tuple[datetime, datetime]]) -> None:
    """Move what the services wrote for the order to the story's moments.

    `moments` pairs the clock's time when each step started with the moment the step
    happens in the story, in order: everything stamped since a step started (and before the
    next one did) belongs to that step. The services take their time from the clock on
    purpose (no client sets it); only the demo rewrites it, here, for orders it just made.
    One UPDATE per table in SQL: the same CASE built as ORM expressions costs 20 times more
    (18 ms an order), more than the services themselves.
    """
    ops = connection.ops
    pairs = [
        ops.adapt_datetimefield_value(value)
        for started, at in reversed(moments)  # the latest step first: its rows are newest
        for value in (started, at)
    ]
    with connection.cursor() as cursor:
        for model, names in STAMPED.items():
            columns = [ops.quote_name(model._meta.get_field(name).column) for name in names]
            when = " ".join(["WHEN {0} >= %s THEN %s"] * len(moments))
            sets = ", ".join(f"{c} = CASE {when.format(c)} ELSE {c} END" for c in columns)
            key = (model._meta.pk if model is Order else model._meta.get_field("order")).column
            table, key = ops.quote_name(model._meta.db_table), ops.quote_name(key)
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {key} = %s",
                [*pairs * len(columns), order_id],
            )
    # The customer the order made (a returning one keeps their first order's date).
    first_started, placed = moments[0]
    Customer.objects.filter(
        pk__in=Order.objects.filter(pk=order_id).values("customer_id"),
        created_at__gte=first_started,
    ).update(created_at=placed)
    _backdate_json(order_id, moments)


# What the services record with the present inside JSON: model -> its JSON field (the
# history's changes and the events' payloads name date_sent and date_delivered: the rows
# that mention a date_ field are read).
STAMPED_JSON = {HistoryRecord: "changes", OrderEvent: "payload"}
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _backdate_json(order_id: int, moments: list[tuple[datetime, datetime]]) -> None:
    """The moments written inside the history's changes and the events' payloads, moved
    as backdate moves the columns (the step that had started when they were written)."""
    starts = [started for started, _ in moments]

    def moved(value):
        if isinstance(value, dict):
            return {key: moved(item) for key, item in value.items()}
        if isinstance(value, list):
            return [moved(item) for item in value]
        if isinstance(value, str) and ISO_MOMENT.match(value):
            written = datetime.fromisoformat(value)
            step = bisect.bisect_right(starts, written) - 1 if written.tzinfo else -1
            if step >= 0:
                return moments[step][1].astimezone(written.tzinfo).isoformat()
        return value

    for model, name in STAMPED_JSON.items():
        dated = model.objects.filter(order_id=order_id, **{f"{name}__icontains": "date_"})
        rows = list(dated.only("pk", name))
        changed = []
        for row in rows:
            value = getattr(row, name)
            if value != (new := moved(value)):
                setattr(row, name, new)
                changed.append(row)
        model.objects.bulk_update(changed, [name])


def play(story: Story, *, actor: Actor) -> Order:
    """Act the story out through the services, then date what it wrote."""
    moments = []
    for step in story.steps:
        moments.append((timezone.now(), step.at))
        ACTIONS[step.action](story, step, actor)
    backdate(story.order_id, moments)
    return Order.objects.get(pk=story.order_id)


def seed(count: int, *, seed: int = 1, batch: int = 500, progress=None, now=None) -> int:
    """Create `count` orders placed over the last 90 days (up to `now`); each batch commits
    once (every service still runs atomically inside it, as a savepoint). Returns how many
    were made."""
    ref = reference_data()
    actor = Actor.for_command("seed_demo_data")
    stories = plan(
        count,
        ref=ref,
        now=now or timezone.now(),
        seed=seed,
        start=_next_number(),
        variant=Order.objects.count(),
    )
    for first in range(0, count, batch):
        with transaction.atomic():
            for story in stories[first : first + batch]:
                play(story, actor=actor)
                if progress:
                    progress(1)
    return len(stories)


def _next_number() -> int:
    return (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
