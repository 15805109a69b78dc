"""A GET reads exactly the query parameters its endpoint documents: a misspelt one, one given
twice or one given empty is a 400 naming it (a sync job acting on "every order" because of a
typo is the failure this prevents)."""

import pytest

from tests.factories import OrderFactory


@pytest.fixture
def order(db):
    return OrderFactory()


def test_a_misspelt_filter_is_refused_and_the_accepted_ones_are_listed(api, order):
    response = api.get("/System/Orders", {"stauts_id": 3})

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["stauts_id"]
    reason = body["errors"]["stauts_id"][0]
    for accepted in ("status_id", "channel_id", "from", "to", "page", "per_page", "expanded"):
        assert accepted in reason
    assert body["message"] == "Invalid input: stauts_id."


def test_a_parameter_given_twice_is_refused(api, order):
    response = api.get("/System/Orders?status_id=1&status_id=2")

    assert response.status_code == 400
    assert response.json()["errors"] == {"status_id": ["Give this parameter once."]}


@pytest.mark.parametrize("name", ["status_id", "done", "page", "expanded", "tracking"])
def test_a_parameter_given_empty_is_refused(api, order, name):
    response = api.get(f"/System/Orders?{name}=")

    assert response.status_code == 400
    assert response.json()["errors"] == {name: ["Give a value, or leave the parameter out."]}


def test_every_bad_parameter_is_named_in_one_answer(api, order):
    response = api.get("/System/Orders?per_page=5&done=maybe&colour=red&page=1&page=2")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"per_page", "done", "colour", "page"}


@pytest.mark.parametrize(
    ("path", "accepted", "refused"),
    [
        ("/System/Orders/{id}", "expanded=1", "page=2"),
        ("/System/Orders/{id}/history", "per_page=20", "expanded=1"),
        ("/System/Orders/Statuses", "page=1", "status_id=1"),
        ("/System/Orders/Events", "limit=5", "page=1"),
        ("/System/Lists/Shippers", "per_page=10", "sort=name"),
    ],
)
def test_each_endpoint_accepts_its_own_parameters_only(api, order, path, accepted, refused):
    path = path.format(id=order.pk)

    assert api.get(f"{path}?{accepted}").status_code == 200
    refused_answer = api.get(f"{path}?{refused}")
    assert refused_answer.status_code == 400
    assert list(refused_answer.json()["errors"]) == [refused.split("=")[0]]


def test_the_v1_prefix_is_as_strict(api, order):
    assert api.get("/v1/System/Orders", {"stauts_id": 3}).status_code == 400


def test_without_a_key_the_answer_is_401_before_any_parameter_check(anonymous, db):
    assert anonymous.get("/System/Orders", {"stauts_id": 3}).status_code == 401


def test_writes_ignore_the_query_string(api, order):
    # The contract's writes take their input from the body; a query string changes nothing.
    response = api.patch(f"/System/Orders/{order.pk}/sent?source=shop")

    assert response.status_code == 200
    assert response.json()["sent"] is True


@pytest.mark.parametrize("value", ["٣", "²", "10.0", "1e2"])
def test_paging_takes_ascii_whole_numbers_only(api, order, value):
    response = api.get("/System/Orders", {"per_page": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["per_page"]
