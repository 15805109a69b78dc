"""What a customer can send back, and the writing of a return's lines.

Goods come back from delivered parcels: a product line can be returned up to the units of
it in the order's delivered parcels less its `returned_count`. `returned_count` is the sum
of the lines of the item's returns that are not rejected; only these helpers write it
(bumped when a return is made, released when one is rejected), in the transaction of a
service that holds the order's row lock. Shared by the return services (returns.py) and
the refund service (a refund that marks its products returned), so both keep one count.
"""

from dataclasses import dataclass

from django.db.models import F, Sum
from django.utils import timezone

from ..actors import Actor
from ..errors import ReturnTooLarge, TransitionNotAllowed
from ..models import (
    ItemKind,
    Order,
    OrderItem,
    Refund,
    Return,
    ReturnLine,
    ReturnState,
    ShipmentLine,
    ShipmentState,
)


@dataclass(frozen=True)
class ReturnOption:
    """One product line with delivered units: how many, and how many came back."""

    item: OrderItem
    delivered: int
    returned: int

    @property
    def left(self) -> int:
        return max(self.delivered - self.returned, 0)


def delivered_counts(order_id: int) -> dict[int, int]:
    """item id -> units of it in the order's delivered parcels."""
    rows = (
        ShipmentLine.objects.filter(
            shipment__order_id=order_id, shipment__state=ShipmentState.DELIVERED
        )
        .values("item_id")
        .annotate(count=Sum("count"))
        .order_by()
    )
    return {row["item_id"]: row["count"] for row in rows}


def return_options(order: Order) -> list[ReturnOption]:
    """Every product line of which something was delivered, in the order's line order."""
    delivered = delivered_counts(order.pk)
    items = OrderItem.objects.filter(order=order, kind=ItemKind.PRODUCT, pk__in=list(delivered))
    return [
        ReturnOption(item=item, delivered=delivered[item.pk], returned=item.returned_count)
        for item in items.order_by("id")
    ]


def check_returnable(order: Order, lines: list[tuple[str, OrderItem, int]]) -> None:
    """Refuse lines ((field, product line, count); the items read after the order was
    locked) that ask for more than was delivered and not yet returned."""
    delivered = delivered_counts(order.pk)
    if not any(delivered.values()):
        raise TransitionNotAllowed(
            f"Order {order.pk} cannot take a return: nothing of it is delivered yet.",
            detail="Goods come back from delivered parcels.",
        )
    for field, item, count in lines:
        units = delivered.get(item.pk, 0)
        left = max(units - item.returned_count, 0)
        if count <= left:
            continue
        if not units:
            message = f"Item {item.pk} is not delivered yet: nothing of it can come back."
        else:
            message = (
                f"Item {item.pk} has {left} of {units} delivered units left to return, not {count}."
            )
        raise ReturnTooLarge(message, field=field)


def add_return(
    order: Order,
    *,
    actor: Actor,
    reason: str,
    lines: list[tuple[OrderItem, int]],
    refund: Refund | None = None,
) -> Return:
    """Write a return of checked `lines` and count its units as returned: requested, or
    with `refund` (a refund that marked its products returned) already refunded."""
    now = timezone.now()
    fields = {"state": ReturnState.REQUESTED}
    if refund is not None:
        fields = {
            "state": ReturnState.REFUNDED,
            "refund": refund,
            "date_received": now,
            "date_refunded": now,
        }
    goods_return = Return.objects.create(
        order=order,
        reason=reason,
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
        created_at=now,
        **fields,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(goods_return=goods_return, item=item, count=count) for item, count in lines
    )
    for item, count in lines:
        _count_returned(item, count)
    return goods_return


def release_return(goods_return: Return) -> None:
    """A rejected return's units no longer count as returned."""
    for line in goods_return.lines.select_related("item"):
        _count_returned(line.item, -line.count)


def _count_returned(item: OrderItem, units: int) -> None:
    OrderItem.objects.filter(pk=item.pk).update(returned_count=F("returned_count") + units)
    item.returned_count += units


def return_summary(goods_return: Return) -> list[dict]:
    """The return's lines for history and events: item id, name and count."""
    return [
        {"item_id": line.item_id, "name": line.item.name, "count": line.count}
        for line in goods_return.lines.select_related("item").order_by("id")
    ]
