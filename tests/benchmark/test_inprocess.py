"""bench.inprocess --stages times the functions a request of ours really calls, and puts
them back after. No timings are checked here, only that each stage is found and timed."""

import pytest
from rest_framework.test import APIClient

from bench import inprocess
from orders import selectors
from orders.api.filters import KeptFilterBackend
from orders.api_keys import create_api_key
from tests.factories import OrderItemFactory, TrackingFactory

pytestmark = pytest.mark.django_db


def stages_of(path: str) -> set[str]:
    """The stages a GET of `path` spent CPU in."""
    _, key = create_api_key(name="bench", read_only=True)
    client = APIClient()
    client.credentials(HTTP_TOKEN=key)
    spent = {name: [0.0] for name, _ in inprocess.STAGES}
    restore = inprocess.timed_stages(spent)
    try:
        assert client.get(path).status_code == 200
    finally:
        restore()
    return {name for name, (seconds,) in spent.items() if seconds > 0}


def test_a_listing_by_tracking_number_passes_every_stage_but_the_totals():
    tracking = TrackingFactory(tracking_number="Z-1")
    OrderItemFactory(order=tracking.order)

    found = stages_of("/System/Orders?tracking=Z-1")

    expected = {name for name, _ in inprocess.STAGES} - {
        "the total: order counters",  # the view asks them; a tracking filter is not kept
        "the total: COUNT (ORM)",  # a page that is not full tells the total
    }
    assert found >= expected
    assert "the total: COUNT (ORM)" not in found


def test_a_detail_reads_and_serializes_one_order_without_filters_or_totals():
    order = OrderItemFactory().order

    found = stages_of(f"/System/Orders/{order.pk}")

    assert "the answer's reads (compiled)" in found
    assert "serializing" in found
    assert not found & {"filters (django-filter: form, queryset)", "the page's ids (ORM)"}


def test_the_functions_are_put_back():
    original = selectors.page_ids
    restore = inprocess.timed_stages({name: [0.0] for name, _ in inprocess.STAGES})
    assert selectors.page_ids is not original
    restore()
    assert selectors.page_ids is original
    assert "filter_queryset" not in vars(KeptFilterBackend)  # inherited, as before
