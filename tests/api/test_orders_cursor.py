"""(ours) GET /System/Orders?after=<cursor>: the walk over every order by id, no count."""

import base64
import datetime as dt

import pytest

from orders.models import ClosingState
from tests.factories import ChannelFactory, CustomerFactory, OrderFactory, OrderStatusFactory

pytestmark = pytest.mark.django_db


def at(day: int) -> dt.datetime:
    return dt.datetime(2019, 12, day, 12, tzinfo=dt.UTC)


def walk(client, path="/System/Orders", **query) -> tuple[list[int], list[dict]]:
    """Follow next_cursor from `start` until has_more is false: (ids in order, answers)."""
    seen, answers, after = [], [], "start"
    while True:
        response = client.get(path, {**query, "after": after})
        assert response.status_code == 200, response.json()
        body = response.json()
        answers.append(body)
        seen += [order["id"] for order in body["orders"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            return seen, answers


def test_a_walk_gives_every_order_once_by_id_without_counting(api):
    # Dates in reverse of the ids: the walk follows ids, not dates.
    orders = [OrderFactory(date_order=at(25 - n)) for n in range(23)]
    seen, answers = walk(api, per_page=10)
    assert seen == [order.pk for order in orders]
    assert [len(answer["orders"]) for answer in answers] == [10, 10, 3]
    assert answers[0]["paginator"] == {"page": None, "per_page": 10, "pages": None, "total": None}
    assert [answer["has_more"] for answer in answers] == [True, True, False]


def test_the_last_cursor_waits_for_new_orders(api):
    first = OrderFactory()
    _, answers = walk(api)
    cursor = answers[-1]["next_cursor"]
    # Nothing new: no orders, the same cursor again.
    nothing = api.get("/System/Orders", {"after": cursor}).json()
    assert (nothing["orders"], nothing["next_cursor"], nothing["has_more"]) == ([], cursor, False)
    # A new order (dated long ago: the walk is by id) comes after the cursor.
    later = OrderFactory(date_order=at(1))
    body = api.get("/System/Orders", {"after": cursor}).json()
    assert [order["id"] for order in body["orders"]] == [later.pk]
    assert first.pk < later.pk


def test_orders_created_during_a_walk_are_neither_skipped_nor_repeated(api):
    before = [OrderFactory(date_order=at(10)) for _ in range(15)]
    page = api.get("/System/Orders", {"after": "start", "per_page": 10}).json()
    seen = [order["id"] for order in page["orders"]]
    # Between two pages: new orders, one dated before all the others (which would shift
    # every later page of the newest-first paging by one).
    during = [OrderFactory(date_order=at(1)), OrderFactory(date_order=at(20))]
    rest, _ = walk_from(api, page["next_cursor"], per_page=10)
    seen += rest
    assert seen == [order.pk for order in before + during]


def walk_from(client, after: str, **query) -> tuple[list[int], str]:
    seen = []
    while True:
        body = client.get("/System/Orders", {**query, "after": after}).json()
        seen += [order["id"] for order in body["orders"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            return seen, after


def test_a_full_page_at_the_end_says_no_more(api):
    orders = OrderFactory.create_batch(10)
    body = api.get("/System/Orders", {"after": "start", "per_page": 10}).json()
    assert [order["id"] for order in body["orders"]] == [order.pk for order in orders]
    assert body["has_more"] is False


def test_the_usual_filters_apply(api):
    channel, status = ChannelFactory(), OrderStatusFactory()
    wanted = [OrderFactory(channel=channel, status=status, date_order=at(day)) for day in (5, 3, 4)]
    OrderFactory(channel=channel, date_order=at(4))  # another status
    OrderFactory(status=status, date_order=at(4))  # another channel
    OrderFactory(channel=channel, status=status, date_order=at(20))  # out of the range
    OrderFactory(channel=channel, status=status, date_order=at(4), closing_state=ClosingState.DONE)
    query = {
        "channel_id": channel.pk,
        "status_id": status.pk,
        "done": 0,
        "from": "2019-12-01",
        "to": "2019-12-10",
        "per_page": 10,
    }
    seen, _ = walk(api, **query)
    assert seen == [order.pk for order in wanted]


def test_the_orders_are_the_listing_s_orders(api):
    """Each order reads as the page listing (and the detail) answer it, expanded or not."""
    OrderFactory.create_batch(3)
    for expanded in ("0", "1"):
        walked = api.get("/System/Orders", {"after": "start", "expanded": expanded}).json()
        paged = api.get("/System/Orders", {"expanded": expanded}).json()
        assert walked["orders"] == list(reversed(paged["orders"]))


def test_a_person_s_orders_walk_too(api):
    customer = CustomerFactory()
    mine = OrderFactory.create_batch(12, customer=customer)
    OrderFactory()
    seen, _ = walk(api, f"/System/People/{customer.pk}/Orders", per_page=10)
    assert seen == [order.pk for order in mine]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "after",
    [
        "nonsense",
        "0",
        cursor_of("id:-1"),
        cursor_of("id:1234567890123456789"),
        cursor_of("page:2"),
        "Zm9v\u0663",
        "START",
    ],
)
def test_a_bad_cursor_is_a_400_naming_after(api, after):
    OrderFactory()
    response = api.get("/System/Orders", {"after": after})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid input: after."
    assert body["errors"] == {
        "after": ["Not a cursor. Use start to begin, then the next_cursor of each answer."]
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"after": "start", "page": 2}, {"after": ["Give after or page, not both."]}),
        ({"after": ""}, {"after": ["Give a value, or leave the parameter out."]}),
        (
            {"after": "start", "per_page": 5},
            {"per_page": ["Ensure this value is greater than or equal to 10."]},
        ),
    ],
)
def test_after_with_paging_mistakes_is_a_400(api, query, errors):
    response = api.get("/System/Orders", query)
    assert response.status_code == 400
    assert response.json()["errors"] == errors


def test_a_read_only_key_walks_and_no_key_is_refused(read_only_api, anonymous):
    order = OrderFactory()
    body = read_only_api.get("/System/Orders", {"after": "start"}).json()
    assert [o["id"] for o in body["orders"]] == [order.pk]
    response = anonymous.get("/System/Orders", {"after": "start"})
    assert response.status_code == 401
    assert set(response.json()) == {"message", "detail"}
