"""The customer pages' paths: anything that is not the shape of an order hash is a 404 that
never reaches the database (PostgreSQL refuses a NUL byte in a query: that was a 500)."""

import pytest
from django.urls import reverse

from tests.factories import order_with_items

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/order/abc%00",
        "/order/%00/invoice",
        "/order/abc%00def/invoice",
        "/order/abc.def",
        "/order/" + "a" * 65,  # longer than the hash column
        "/order/%C3%A9",
    ],
)
def test_a_path_that_is_no_order_hash_is_404_without_a_query(
    client, path, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 404


def test_the_pages_of_a_real_order_still_answer(client, actor):
    order = order_with_items(items=1, actor=actor)
    for name in ("order-page", "order-invoice"):
        path = reverse(name, args=[order.hash])
        assert path.split("/")[2] == order.hash
        assert client.get(path).status_code == 200
    # A hash-shaped value that names no order is a 404 after one lookup.
    assert client.get("/order/" + "A" * 43).status_code == 404
