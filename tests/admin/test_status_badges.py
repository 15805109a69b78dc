"""Status badges draw their icon as SVG: nothing in the back office needs an emoji font."""

import pytest
from django.urls import reverse

from orders import services
from orders.admin.display import status_badge
from orders.admin.icons import EMOJI, NAMES
from statuses.models import OrderStatus
from tests.factories import OrderStatusFactory

pytestmark = pytest.mark.django_db


def has_emoji(html: str) -> bool:
    return any(ord(char) > 0x2000 and not 0x2010 <= ord(char) <= 0x2030 for char in html)


def test_the_default_statuses_get_svg_icons_and_no_emoji():
    defaults = list(OrderStatus.objects.all())
    assert len(defaults) == 8  # statuses/migrations/0002

    for status in defaults:
        badge = str(status_badge(status))
        assert "<svg" in badge, status.name
        assert status.name in badge
        assert not has_emoji(badge), badge


@pytest.mark.parametrize("icon", [*NAMES, *EMOJI])
def test_every_icon_of_the_set_and_every_known_emoji_is_drawn(icon):
    badge = str(status_badge(OrderStatusFactory.build(name="S", icon=icon, color="#ffffff")))
    assert '<svg class="status-icon"' in badge
    assert not has_emoji(badge)


@pytest.mark.parametrize("icon", ["", "🦄", "unicorn", "<b>x</b>"])
def test_an_unknown_icon_leaves_a_plain_text_badge(icon):
    badge = str(status_badge(OrderStatusFactory.build(name="Odd", icon=icon, color="#ffffff")))
    assert "<svg" not in badge
    assert ">Odd</span>" in badge
    assert icon not in badge or icon == ""


def test_the_order_list_and_page_show_no_emoji(admin_client, actor):
    from tests.factories import order_with_items

    order = order_with_items(items=1)
    shipped = OrderStatus.objects.get(name="Shipped")
    assert shipped.icon == "🚚"
    services.order_status_assign(order_id=order.pk, status_id=shipped.pk, actor=actor)

    listing = admin_client.get(reverse("admin:orders_order_changelist")).content.decode()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    for html in (listing, page):
        assert "🚚" not in html
        assert '<svg class="status-icon"' in html
    assert not any(status.icon in page for status in OrderStatus.objects.exclude(icon=""))
