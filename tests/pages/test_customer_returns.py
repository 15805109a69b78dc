"""The customer's order page lists the order's returns: what goes back and how far it got."""

import pytest
from django.urls import reverse

from orders import services
from tests.factories import delivered_parcel, order_with_items

pytestmark = pytest.mark.django_db


def test_the_order_page_lists_returns_and_their_state(client, actor):
    order = order_with_items(items=2)
    mug, tea = order.items.get(name="Article 0"), order.items.get(name="Article 1")
    delivered_parcel(order, [(mug, 1), (tea, 2)])
    html = client.get(reverse("order-page", args=[order.hash])).content.decode()
    assert 'id="returns"' not in html  # none yet

    services.return_request(
        order_id=order.pk, actor=actor, lines=[(tea.pk, 2)], reason="Staff wrote: too small"
    )
    rejected = services.return_request(
        order_id=order.pk, actor=actor, lines=[(mug.pk, 1)], reason="Used"
    )
    services.return_reject(order_id=order.pk, return_id=rejected.pk, actor=actor)

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()
    returns = html.split('id="returns"')[1].split("</section>")[0]
    assert "2 x Article 1:\n      <strong>on its way back</strong>" in returns
    assert "1 x Article 0:\n      <strong>not accepted</strong>" in returns
    assert "Staff wrote" not in returns  # the reason is not shown
