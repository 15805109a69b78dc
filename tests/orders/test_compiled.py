"""Reads compiled once (orders/compiled.py) give what the ORM gives, compile only once per
shape, and fall back to the ORM for a shape they cannot reuse."""

import pytest
from django.db import DataError, connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from orders import selectors
from orders.api_keys import create_api_key, find_api_key
from orders.compiled import CompiledQuery
from orders.models import Order, OrderDiscount
from tests.factories import (
    OrderDiscountFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    ShipperFactory,
    ShippingMethodFactory,
    TrackingFactory,
)
from tests.queries import ANSWER_READS

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(monkeypatch):
    """The queries Django compiled to SQL."""
    queries = []
    as_sql = SQLCompiler.as_sql

    def recording(self, *args, **kwargs):
        queries.append(self.query)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", recording)
    return queries


def orm_answer(order_id: int, *, expanded: bool) -> Order:
    return selectors.orders_for_answer(expanded=expanded).get(pk=order_id)


def columns(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.parametrize("expanded", [False, True])
def test_an_order_read_compiled_is_the_orms(expanded):
    status = OrderStatusFactory(name="Packed")
    order = OrderFactory(status=status, note="fragile", shipping=ShippingMethodFactory())
    OrderItemFactory(order=order, name="Tea")
    OrderItemFactory(order=order, name="Mug", count=2)
    TrackingFactory(order=order, shipper=ShipperFactory(name="PPL"), tracking_number="401")
    TrackingFactory(order=order, tracking_number="402")
    OrderDiscountFactory(order=order)
    OrderFactory()  # another order, not read

    for _ in range(2):  # compiled on the first read, reused on the second
        ours = selectors.order_with_details(order.pk, expanded=expanded)
        theirs = orm_answer(order.pk, expanded=expanded)

        assert columns(ours) == columns(theirs)
        assert columns(ours.status) == columns(theirs.status)
        assert columns(ours.channel) == columns(theirs.channel)
        assert columns(ours.discount) == columns(theirs.discount)
        assert [columns(i) for i in ours.items.all()] == [columns(i) for i in theirs.items.all()]
        assert [item.name for item in ours.items.all()] == ["Tea", "Mug"]
        assert [t.tracking_url for t in ours.trackings.all()] == [
            t.tracking_url for t in theirs.trackings.all()
        ]
        assert next(t.shipper.name for t in ours.trackings.all()) == "PPL"
        assert all(item.order is ours for item in ours.items.all())
        if expanded:
            assert columns(ours.customer) == columns(theirs.customer)
            assert columns(ours.shipping) == columns(theirs.shipping)
            assert columns(ours.shipping.channel) == columns(theirs.shipping.channel)


def test_an_order_without_discount_items_or_status():
    order = OrderFactory(status=None)

    ours = selectors.order_with_details(order.pk, expanded=False)

    assert ours.status is None
    assert list(ours.items.all()) == []
    assert list(ours.trackings.all()) == []
    with pytest.raises(OrderDiscount.DoesNotExist):
        ours.discount  # noqa: B018 (what the answer's discount reads)


def test_a_missing_order_is_none():
    assert selectors.order_with_details(999_999, expanded=False) is None


def test_a_read_compiles_once(compiled):
    orders = [OrderFactory() for _ in range(3)]
    for order in orders:
        OrderItemFactory(order=order)
    selectors.order_with_details(orders[0].pk, expanded=False)  # compiles its three reads
    compiled.clear()

    for order in orders:
        assert selectors.order_with_details(order.pk, expanded=False).pk == order.pk

    assert len(compiled) == 0


def test_the_order_and_its_lines_are_one_round_trip_on_postgresql():
    order = OrderFactory()
    OrderItemFactory(order=order)
    TrackingFactory(order=order)

    with CaptureQueriesContext(connection) as queries:
        found = selectors.order_with_details(order.pk, expanded=False)

    assert [item.pk for item in found.items.all()] == [order.items.get().pk]
    assert [tracking.pk for tracking in found.trackings.all()] == [order.trackings.get().pk]
    # One round trip on PostgreSQL; SQLite (and prepared statements) one statement a time.
    assert len(queries) == ANSWER_READS


def test_orders_by_ids_keep_the_ids_order_and_leave_out_missing_ones():
    orders = [OrderFactory() for _ in range(4)]
    for index, order in enumerate(orders):
        for _ in range(index):
            OrderItemFactory(order=order)
        TrackingFactory(order=order)
    wanted = [orders[2].pk, 999_999, orders[0].pk, orders[3].pk]

    ours = selectors.orders_by_ids(wanted, expanded=False)
    theirs = {o.pk: o for o in selectors.orders_for_answer(expanded=False)}

    assert [order.pk for order in ours] == [orders[2].pk, orders[0].pk, orders[3].pk]
    for order in ours:
        assert [i.pk for i in order.items.all()] == [i.pk for i in theirs[order.pk].items.all()]
        assert [t.pk for t in order.trackings.all()] == [
            t.pk for t in theirs[order.pk].trackings.all()
        ]
        assert all(item.order is order for item in order.items.all())
    assert selectors.orders_by_ids([], expanded=False) == []


def test_a_shape_with_parameters_of_its_own_is_run_by_the_orm_each_time(compiled):
    OrderFactory(note="kept")
    wanted = OrderFactory(note="kept")
    # `note="kept"` is a parameter the values do not give: the SQL cannot be reused.
    query = CompiledQuery(Order, lambda values: Order.objects.filter(pk=values[0], note="kept"))

    assert [o.pk for o in query([wanted.pk])] == [wanted.pk]
    compiled.clear()
    assert [o.pk for o in query([wanted.pk])] == [wanted.pk]
    assert len(compiled) == 1


def test_a_list_of_another_length_is_compiled_for_its_own():
    orders = [OrderFactory() for _ in range(3)]
    query = CompiledQuery(Order, lambda ids: Order.objects.filter(pk__in=ids).order_by("id"))

    assert [o.pk for o in query([orders[0].pk])] == [orders[0].pk]
    assert [o.pk for o in query([orders[2].pk, orders[1].pk])] == [orders[1].pk, orders[2].pk]
    assert [o.pk for o in query([orders[1].pk])] == [orders[1].pk]


def test_api_keys_are_found_by_the_compiled_read():
    key, plain = create_api_key(name="shop")
    revoked, revoked_plain = create_api_key(name="old")
    revoked.active = False
    revoked.save()

    assert find_api_key(plain).pk == key.pk
    assert find_api_key(plain).pk == key.pk  # the second time from the compiled SQL
    assert find_api_key(revoked_plain) is None
    assert find_api_key(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None


def test_pages_of_filtered_listings_are_the_orms(compiled):
    paid, open_ = OrderStatusFactory(name="Paid"), OrderStatusFactory(name="Open")
    orders = [OrderFactory(status=paid if n % 2 else open_) for n in range(7)]
    TrackingFactory(order=orders[3], tracking_number="777")
    listing = selectors.orders_for_listing()

    for narrowed, start, stop in (
        (listing, 0, 3),
        (listing, 3, 10),
        (listing.filter(status=paid), 1, 3),
        (listing.filter(trackings__tracking_number="777"), 0, 10),
        (listing.filter(status=paid, note="nothing has this"), 0, 10),
    ):
        ours = selectors.orders_by_ids(selectors.page_ids(narrowed, start, stop), expanded=False)
        theirs = list(
            selectors.orders_for_answer(expanded=False)
            .filter(pk__in=[o.pk for o in narrowed[start:stop]])
            .order_by(*selectors.LISTING_ORDER)
        )

        assert [o.pk for o in ours] == [o.pk for o in theirs]
        assert [o.status.name for o in ours] == [o.status.name for o in theirs]

    # A page's read with its joins is compiled once per page size, not per filter.
    compiled.clear()
    selectors.orders_by_ids(selectors.page_ids(listing.filter(status=open_), 0, 3), expanded=False)
    assert not [query for query in compiled if query.model is Order and query.select_related]


def test_only_the_most_recently_used_shapes_are_kept(monkeypatch, compiled):
    from orders import compiled as module

    monkeypatch.setattr(module, "SHAPES_KEPT", 2)
    orders = [OrderFactory() for _ in range(3)]
    query = CompiledQuery(Order, lambda ids: Order.objects.filter(pk__in=ids).order_by("id"))
    for n in (1, 2, 3):  # three shapes: the first is let go
        assert len(query([o.pk for o in orders[:n]])) == n
    compiled.clear()

    assert len(query([o.pk for o in orders[:3]])) == 3
    assert len(query([o.pk for o in orders[:2]])) == 2
    assert len(compiled) == 0  # both kept
    assert len(query([orders[0].pk])) == 1
    assert len(compiled) == 1  # compiled again


def test_the_rows_of_one_read_share_their_status_and_shipper():
    """One instance per status (and per shipper) in a read, not one per order; an order's
    own one-to-one rows (its discount) stay its own."""
    status, shipper = OrderStatusFactory(name="Paid"), ShipperFactory(name="PPL")
    orders = [OrderFactory(status=status) for _ in range(3)]
    for order in orders:
        TrackingFactory(order=order, shipper=shipper)
    OrderDiscountFactory(order=orders[0], reason="first")
    OrderDiscountFactory(order=orders[1], reason="second")
    unset = OrderFactory(status=None)

    read = selectors.orders_by_ids([o.pk for o in orders] + [unset.pk], expanded=False)

    assert len({id(order.status) for order in read[:3]}) == 1
    assert read[0].status.name == "Paid"
    assert read[3].status is None
    shippers = [t.shipper for order in read for t in order.trackings.all()]
    assert len(shippers) == 3
    assert len({id(s) for s in shippers}) == 1
    assert shippers[0].name == "PPL"
    assert [read[0].discount.reason, read[1].discount.reason] == ["first", "second"]


def test_lines_are_built_as_django_builds_them():
    """Items and tracking numbers are built without Model.__init__ (compiled._is_plain):
    the same attributes as Django's from_db, a deferred column still loaded on access."""
    order = OrderFactory()
    OrderItemFactory(order=order, name="Tea")
    TrackingFactory(order=order, tracking_number="401")

    found = selectors.order_with_details(order.pk, expanded=False)

    lines = [*found.items.all(), *found.trackings.all()]
    assert len(lines) == 2
    for ours in lines:
        theirs = type(ours).objects.defer("created_at").get(pk=ours.pk)
        assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
            k: v for k, v in vars(theirs).items() if k != "_state"
        }
        assert (ours._state.adding, ours._state.db) == (False, "default")
        assert ours.created_at == type(ours).objects.get(pk=ours.pk).created_at


def test_a_model_with_setters_or_init_signals_is_built_by_django():
    from django.db.models.signals import post_init

    from orders import compiled as module
    from orders.models import OrderItem

    assert module._is_plain(OrderItem)
    assert not module._is_plain(Order)  # django-fsm's state fields have setters
    order = OrderFactory()
    OrderItemFactory(order=order)
    built = []

    def receiver(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(receiver, sender=OrderItem)
    try:
        found = selectors.order_with_details(order.pk, expanded=False)
    finally:
        post_init.disconnect(receiver, sender=OrderItem)

    assert built == list(found.items.all())


@pytest.mark.parametrize("binding", ["client", "server"])
def test_statements_read_together_with_either_binding(binding):
    """One simple query with client-side binding (Django's default), psycopg's pipeline
    with server-side binding (DATABASE_PREPARED_STATEMENTS): each statement its own rows."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    from django.db.backends.postgresql.base import DatabaseWrapper

    from orders.compiled import _rows

    options = {
        key: value
        for key, value in connection.settings_dict.get("OPTIONS", {}).items()
        if key not in ("server_side_binding", "prepare_threshold")
    }
    if binding == "server":
        options.update(server_side_binding=True, prepare_threshold=5)
    other = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options}, alias="binding")
    statements = [
        ("SELECT %s::int, %s::text", (1, "one")),
        ("SELECT 2 WHERE %s", (False,)),  # no rows
        ("SELECT n FROM generate_series(1, %s) AS n ORDER BY n", (3,)),
    ]
    try:
        for _ in range(6):  # past psycopg's prepare_threshold: prepared statements too
            assert _rows(other, statements) == [[(1, "one")], [], [(1,), (2,), (3,)]]
        # A statement's error is Django's exception, and the connection goes on.
        with pytest.raises(DataError):
            _rows(other, [("SELECT %s::int", (1,)), ("SELECT 1 / %s", (0,))])
        assert _rows(other, statements[:2]) == [[(1, "one")], []]
    finally:
        other.close()
