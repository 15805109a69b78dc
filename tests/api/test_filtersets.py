"""The Orders FilterSet's filters and fields are shared between requests (they are not
deep-copied per request), so each request's filters must still act for that request's
FilterSet, and one request's values must not reach the next."""

import pytest

from orders.api.filters import OrderFilterSet
from orders.api.filters_reference import filters_of
from orders.models import Order


def test_a_method_filter_calls_the_method_of_its_own_filterset(db):
    calls = []

    class Recording(filters_of(OrderFilterSet, "done", "tracking")):
        def filter_closing(self, queryset, name, value):
            calls.append((self, name, value))
            return super().filter_closing(queryset, name, value)

    first = Recording({"done": "1"}, queryset=Order.objects.all())
    second = Recording({"done": "0"}, queryset=Order.objects.all())
    list(second.qs), list(first.qs)

    assert calls == [(second, "done", False), (first, "done", True)]
    assert second.filters["done"].parent is second
    assert not hasattr(OrderFilterSet.base_filters["done"], "parent")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status_id": "x"}, "status_id"),
        ({"tracking": "x" * 101}, "tracking"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_a_bad_value_in_one_form_leaves_the_next_form_clean(db, data, error):
    bad = OrderFilterSet(data, queryset=Order.objects.all())
    good = OrderFilterSet({}, queryset=Order.objects.all())

    assert list(bad.errors) == [error]
    assert good.is_valid()
    assert good.errors == {}
