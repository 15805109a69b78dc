"""The benchmark harness (bench/) is right: grown orders keep the invariants the app relies
on, and the floor app answers what our API answers. No timings here."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.db import connection
from django.db.models import Q
from rest_framework.test import APIClient

from bench import floor, grow
from bench.run import first_difference
from orders import services
from orders.actors import Actor
from orders.api_keys import create_api_key
from orders.checks import check_orders
from orders.counts import count_problems
from orders.models import HistoryRecord, Order, OrderItem, Payment, Return, Shipper, Tracking

BASE_URL = "https://orders.bench.example"
SAMPLE, GROWN = 8, 40


def secondary_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [grow.TABLES])
        return {name for (name,) in cursor.fetchall()}


def shipped_in_two_parcels_with_returns(actor) -> Order:
    """Two mugs and a tea, paid, sent in two parcels (two tracking numbers of one carrier)
    and delivered; a mug came back and was refunded, the tea is on its way back."""
    order = services.order_create(
        actor=actor,
        name="Eva Dvořáková",
        email="eva@mail.example",
        items=[
            services.ItemData(name="Mug", count=2, vat=Decimal("21"), final_price=Decimal("12.5")),
            services.ItemData(name="Tea", count=1, vat=Decimal("21"), final_price=Decimal("5.9")),
        ],
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    mug, tea = order.items.filter(kind="product").order_by("id")
    shipper = Shipper.objects.order_by("id").first()
    for number, item in enumerate((mug, tea)):
        parcel = services.shipment_create(
            order_id=order.pk,
            actor=actor,
            lines=[(item.pk, item.count)],
            shipper_id=shipper.pk,
            tracking_number=f"7700000{number}",
        )
        services.shipment_mark_sent(order_id=order.pk, shipment_id=parcel.pk, actor=actor)
        services.shipment_mark_delivered(order_id=order.pk, shipment_id=parcel.pk, actor=actor)
    refunded = services.return_request(
        order_id=order.pk, actor=actor, lines=[(mug.pk, 1)], reason="Too small"
    )
    services.return_mark_received(order_id=order.pk, return_id=refunded.pk, actor=actor)
    services.return_refund(order_id=order.pk, return_id=refunded.pk, actor=actor)
    services.return_request(order_id=order.pk, actor=actor, lines=[(tea.pk, 1)], reason="Stale")
    return order


@pytest.fixture
def grown(db, actor):
    """A sample made by the services (plus a JPY order with original prices, for the
    rarer paths of the Order answer, and an order of two parcels with returns), copied in
    SQL up to GROWN orders."""
    grow.seed_sample(SAMPLE - 2)
    shipped_in_two_parcels_with_returns(actor)
    jpy = services.order_create(
        actor=actor,
        name="Yui Tanaka",
        email="yui@mail.example",
        order_currency_code="JPY",
        items=[
            services.ItemData(
                name="Tea set",
                count=2,
                vat=Decimal("10"),
                final_price=Decimal("4400"),
                original_final_price=Decimal("5500"),
                article_id=7,
            )
        ],
    )
    # Its money rows, for the copies to carry over: a discount, a payment, a refund of
    # one unit plus an amount. Its codes stay blank: the answers say null.
    services.order_discount_set(
        order_id=jpy.pk, actor=actor, type="amount", value=Decimal("500"), reason="Voucher"
    )
    services.order_mark_paid(order_id=jpy.pk, actor=actor, payment_id="PAY-0000042")
    tea_set = jpy.items.get(kind="product")
    services.order_refund(
        order_id=jpy.pk,
        actor=actor,
        lines=[(tea_set.pk, 1)],
        amount=Decimal("300"),
        reason="One cup broken",
    )
    with connection.cursor() as cursor:
        # The sample's deferred foreign key checks run now, not at a commit that a test
        # never reaches (an index cannot be built on a table with checks pending).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = secondary_indexes()
    added = grow.grow_to(GROWN, sample_size=SAMPLE, batch=15, rebuild_indexes=True)
    assert added == GROWN - SAMPLE
    assert secondary_indexes() == before  # dropped for the load, built again after
    return grow.sample_ids(SAMPLE)


@pytest.mark.postgres
def test_grown_orders_keep_the_orders_invariants(grown):
    assert Order.objects.count() == GROWN
    assert list(check_orders()) == []
    assert count_problems() == []  # the copies skipped the triggers: counted after
    hashes = list(Order.objects.values_list("hash", flat=True))
    assert len(set(hashes)) == GROWN
    assert {len(h) for h in hashes} == {43}
    copy = Order.objects.exclude(pk__in=grown).order_by("id").first()
    template = Order.objects.get(pk=grown[copy.pk % SAMPLE])
    assert copy.money == template.money
    assert copy.version == template.version
    assert copy.status_id == template.status_id
    assert [(i.name, i.count) for i in copy.items.order_by("id")] == [
        (i.name, i.count) for i in template.items.order_by("id")
    ]
    shift = copy.date_order - template.date_order
    assert shift.total_seconds() < 0
    assert copy.created_at - template.created_at == shift
    assert HistoryRecord.objects.filter(order=copy).count() == template.history.count()
    numbers = list(Tracking.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    copied = Tracking.objects.exclude(order_id__in=grown)
    assert copied.count() > SAMPLE  # an order of two parcels has two
    for tracking in copied:
        # The copy's history names its own numbers, never its template's.
        history = HistoryRecord.objects.filter(order_id=tracking.order_id)
        assert names(history, tracking.tracking_number).exists()
        template = grown[tracking.order_id % SAMPLE]
        for number in Tracking.objects.filter(order_id=template).values_list(
            "tracking_number", flat=True
        ):
            assert not names(history, number).exists()


def names(history, number: str):
    """The records that name a tracking number (in their name or their changes)."""
    return history.filter(Q(name__contains=number) | Q(changes__icontains=number))


@pytest.mark.postgres
def test_copies_carry_their_templates_parcels_and_returns(grown):
    template = Order.objects.get(name="Eva Dvořáková", pk__in=grown)
    copies = Order.objects.filter(name="Eva Dvořáková").exclude(pk__in=grown)
    assert copies.count() == (GROWN - SAMPLE) // SAMPLE

    def parcels_and_returns(order: Order) -> tuple:
        parcels = [
            (s.state, s.weight, [(line.item.name, line.count) for line in s.lines.all()])
            for s in order.shipments.order_by("id")
        ]
        returns = [
            (r.state, r.reason, [(line.item.name, line.count) for line in r.lines.all()])
            for r in order.returns.order_by("id")
        ]
        return parcels, returns

    for copy in copies:
        assert parcels_and_returns(copy) == parcels_and_returns(template)
        first, second = copy.shipments.order_by("id")
        assert first.tracking.order_id == second.tracking.order_id == copy.pk
        assert second.tracking.tracking_number == f"{first.tracking.tracking_number}-1"
        assert {line.item.order_id for s in (first, second) for line in s.lines.all()} == {copy.pk}
        refunded = copy.returns.get(state="refunded")
        assert refunded.refund.order_id == copy.pk
        assert {line.item.order_id for line in refunded.lines.all()} == {copy.pk}
        shift = copy.date_order - template.date_order
        assert refunded.date_refunded - template.returns.get(state="refunded").date_refunded == (
            shift
        )
        assert first.date_delivered - template.shipments.order_by("id")[0].date_delivered == (shift)
    assert Return.objects.filter(order__in=copies).count() == 2 * copies.count()


def money_rows(order: Order) -> tuple:
    """What an order's money rows say, without their ids."""
    return (
        [(i.kind, i.vat, i.count, i.unit_price_final, i.returned_count) for i in order.items.all()],
        [(p.kind, p.status, p.amount) for p in order.payments.order_by("id")],
        [
            (f.amount, f.extra_amount, [(line.item.name, line.count) for line in f.lines.all()])
            for f in order.refunds.order_by("id")
        ],
        (order.discount.type, order.discount.value) if hasattr(order, "discount") else None,
    )


@pytest.mark.postgres
def test_copies_carry_the_money_rows_of_their_template(grown):
    template = Order.objects.get(order_currency_code="JPY", pk__in=grown)
    copies = Order.objects.filter(order_currency_code="JPY").exclude(pk__in=grown)
    assert copies.count() == (GROWN - SAMPLE) // SAMPLE
    for copy in copies:
        assert money_rows(copy) == money_rows(template)
        assert (copy.paid, copy.refunded, copy.payment_state) == (
            template.paid,
            template.refunded,
            template.payment_state,
        )
        refund = copy.refunds.get()
        # The copy's refund is its own: its payment record and its lines' items are the copy's.
        assert refund.payment.order_id == copy.pk
        assert {line.item.order_id for line in refund.lines.all()} == {copy.pk}
        payment = copy.payments.get(kind="payment")
        assert payment.external_id == f"PAY-{copy.pk}"
        assert payment.created_at - template.payments.get(kind="payment").created_at == (
            copy.date_order - template.date_order
        )
    # New money rows after growing get fresh ids: the sequences moved past the copies.
    latest = copies.order_by("-id").first()
    services.order_mark_paid(
        order_id=latest.pk, actor=Actor.for_command("test"), amount=Decimal("1"), reason="Fix"
    )
    assert Payment.objects.filter(order=latest).count() == 3


@pytest.mark.postgres
def test_growing_again_to_the_same_size_adds_nothing(grown):
    assert grow.grow_to(GROWN, sample_size=SAMPLE) == 0
    assert grow.grow_to(GROWN + 5, sample_size=SAMPLE) == 5
    assert Order.objects.count() == GROWN + 5
    assert OrderItem.objects.filter(order_id=Order.objects.order_by("-id").first().pk).exists()


def floor_get(app: floor.Floor, path: str, key: str) -> tuple[str, bytes]:
    path, _, query = path.partition("?")
    started = {}
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_TOKEN": key},
            lambda status, headers: started.setdefault("status", status),
        )
    )
    return started["status"], body


@pytest.mark.postgres
def test_the_floor_answers_what_the_api_answers(grown, settings):
    settings.PUBLIC_BASE_URL = BASE_URL
    _, key = create_api_key(name="bench", read_only=True)
    # The floor runs its SQL on the test's connection, so it sees the test's rows.
    app = floor.Floor(
        lambda: connection.connection, base_url=BASE_URL, language="en", time_zone="UTC"
    )
    connection.ensure_connection()
    api = APIClient()
    api.credentials(HTTP_TOKEN=key)
    jpy = Order.objects.filter(order_currency_code="JPY").exclude(pk__in=grown).first()
    parcels = Order.objects.filter(name="Eva Dvořáková").exclude(pk__in=grown).first()
    tracked = Tracking.objects.exclude(order_id__in=grown).first()
    day = Order.objects.order_by("date_order")[GROWN // 2].date_order.date()
    open_status = Order.objects.exclude(closing_state="done").exclude(status=None).first().status_id
    # An EUR order of the English channel read in Czech (its own language wins).
    in_czech = Order.objects.filter(pk__in=grown, order_currency_code="EUR").first()
    Order.objects.filter(pk=in_czech.pk).update(language="cs")
    paths = [
        f"/System/Orders/{grown[0]}",
        f"/System/Orders/{in_czech.pk}",
        f"/System/Orders/{jpy.pk}",
        f"/System/Orders/{parcels.pk}",
        f"/System/Orders/{Order.objects.order_by('-id').first().pk}",
        "/System/Orders",
        "/System/Orders?per_page=10&page=3",
        f"/System/Orders?per_page=100&tracking={tracked.tracking_number}",
        f"/System/Orders?per_page=100&from={day.replace(day=1)}&to={day}",
        f"/System/Orders?per_page=100&status_id={open_status}&done=false",
        "/System/Orders?canceled=false&per_page=10&page=2",
    ]
    compared = []
    for path in paths:
        ours = api.get(path)
        status, body = floor_get(app, path, key)
        assert (ours.status_code, status) == (200, "200 OK"), path
        answer = ours.json()
        assert answer.get("orders", [answer]), f"{path} answers no order: compares nothing"
        assert first_difference(answer, floor.orjson.loads(body)) is None, path
        compared += answer.get("orders", [answer])
    # The rarer paths of the answer were among those compared.
    words = {item["price"]["final_price_word"] for order in compared for item in order["items"]}
    assert any(word.endswith("\N{NO-BREAK SPACE}Kč") for word in words)  # the Czech shop's
    assert any(word.endswith("\N{NO-BREAK SPACE}€") for word in words)  # an order's own
    assert any(word.startswith("€") for word in words)
    kinds = {item["kind"] for order in compared for item in order["items"]}
    assert {"product", "discount", "shipping"} <= kinds
    assert any(order["discount"] for order in compared)
    assert any(order["refunded"] > 0 for order in compared)
    assert "partially_refunded" in {order["payment_state"] for order in compared}
    assert any(order["state_code"] is None for order in compared)


@pytest.mark.postgres
def test_the_floor_refuses_a_wrong_key(grown):
    app = floor.Floor(lambda: connection.connection, base_url="", language="en", time_zone="UTC")
    connection.ensure_connection()
    _, key = create_api_key(name="bench", read_only=True)
    assert floor_get(app, "/System/Orders", key[:-1] + "x")[0] == "401 Unauthorized"
    assert floor_get(app, "/System/Orders?per_page=5", key)[0] == "400 Bad Request"


@pytest.mark.parametrize("locale", ["en_US", "cs_CZ", "de_CH"])
@pytest.mark.parametrize("currency", ["EUR", "CZK", "JPY", "KWD"])
def test_the_floors_money_words_are_babels(locale, currency):
    words = floor.MoneyWords(locale)
    for amount in ["0", "0.01", "3.45", "19.90", "1210", "12345.678", "9876543.21", "-4.13"]:
        rounded = Decimal(amount).quantize(Decimal(1).scaleb(-grow_precision(currency)))
        expected = format_currency(rounded, currency, locale=locale)
        assert words(float(rounded), currency) == expected


def grow_precision(currency: str) -> int:
    from babel.numbers import get_currency_precision

    return get_currency_precision(currency)


def test_first_difference_names_the_place():
    ours = {"orders": [{"id": 1, "items": [{"price": {"vat": 21.0}}]}], "done": False}
    assert first_difference(ours, ours) is None
    changed = {"orders": [{"id": 1, "items": [{"price": {"vat": 21.5}}]}], "done": False}
    assert first_difference(ours, changed) == (
        "$.orders[0].items[0].price.vat: ours 21.0, the floor 21.5"
    )
    assert first_difference({"done": False}, {"done": 0}).startswith("$.done")
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == "$.b: only in the floor"


@pytest.mark.postgres
def test_the_django_floor_answers_what_the_floor_answers(grown, settings, monkeypatch):
    """bench/django_floor.py: the floor's answers through Django and DRF (our settings,
    another URLconf), behind our authentication."""
    from bench import django_floor

    settings.PUBLIC_BASE_URL = BASE_URL
    settings.ROOT_URLCONF = "bench.django_floor"
    _, key = create_api_key(name="bench", read_only=True)
    app = floor.Floor(
        lambda: connection.connection, base_url=BASE_URL, language="en", time_zone="UTC"
    )
    monkeypatch.setattr(django_floor, "floor", app)  # its SQL on the test's connection
    connection.ensure_connection()
    api = APIClient()
    api.credentials(HTTP_TOKEN=key)
    paths = [f"/System/Orders/{grown[0]}", "/System/Orders?per_page=10&page=2"]

    for path in paths:
        answer = api.get(path)
        status, body = floor_get(app, path, key)
        assert (answer.status_code, status) == (200, "200 OK"), path
        assert answer.json() == floor.orjson.loads(body), path
    assert APIClient().get(paths[0]).status_code == 401
    assert api.get("/System/Orders/999999999").status_code == 404
    assert api.get("/System/Orders?per_page=5").status_code == 400
