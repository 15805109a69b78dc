"""The customer's pages, addressed by the order's unguessable hash (no login): the order's
status page (its printable invoice is the invoices app's, invoices/pages.py). Only what the
customer may see is shown — never the staff note or staff-only history records."""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_safe

from .admin.display import text_colour
from .admin.icons import icon_svg
from .language import order_language
from .models import HistoryRecord, Order
from .money import format_money, round_money
from .selectors import order_refunds, order_returns, order_shipments, orders_with_details

ZERO = Decimal("0")


def _order_or_404(order_hash: str) -> Order:
    order = orders_with_details().filter(hash=order_hash).first()
    if order is None:
        raise Http404("No such order.")
    return order


def _private(response):
    # The link is the only key: keep it out of search engines, referrers and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _lines(order: Order) -> list[dict]:
    currency = order.order_currency_code
    return [
        {
            "item": item,
            "unit_base": format_money(item.unit_price_base, currency),
            "unit_final": format_money(item.unit_price_final, currency),
            "total_base": format_money(item.total_base, currency),
            "total_final": format_money(item.total_final, currency),
        }
        for item in order.items.all()
    ]


def vat_breakdown(order: Order) -> list[dict]:
    """Base, VAT and total per VAT rate, from the lines (highest rate first)."""
    sums = defaultdict(lambda: [ZERO, ZERO])
    for item in order.items.all():
        sums[item.vat][0] += item.total_base
        sums[item.vat][1] += item.total_final
    currency = order.order_currency_code
    return [
        {
            "rate": rate.normalize() if rate == rate.to_integral() else rate,
            "base": format_money(round_money(base, currency), currency),
            "vat": format_money(round_money(final - base, currency), currency),
            "total": format_money(round_money(final, currency), currency),
        }
        for rate, (base, final) in sorted(sums.items(), reverse=True)
    ]


def _money(order: Order) -> dict:
    currency = order.order_currency_code
    return {
        name: format_money(getattr(order, name), currency)
        for name in ("money", "money_base", "money_vat", "paid", "refunded", "amount_due")
    }


def _status(order: Order) -> dict | None:
    """The status badge as the back office draws it: the set's SVG icon (no emoji, which
    would need a font the customer may not have) and text that reads on its colour."""
    if order.status is None:
        return None
    status = order.status
    return {
        "name": status.name,
        "color": status.color,
        "text": text_colour(status.color),
        "icon": icon_svg(status.icon, size=16),
    }


def _refunds(order: Order) -> list[dict]:
    """What was given back, oldest first: when, how much, for which lines (not why: the
    reason is staff's words)."""
    currency = order.order_currency_code
    return [
        {
            "refund": refund,
            "amount": format_money(refund.amount, currency),
            "lines": [(line.count, line.item.name) for line in refund.lines.all()],
        }
        for refund in order_refunds(order.pk)
    ]


def _parcels(order: Order) -> tuple[list[dict], list[dict]]:
    """The parcels, oldest first, with their items and tracking links; and the tracking
    numbers that belong to no parcel (a second label, one added after everything left)."""
    parcels = [
        {
            "parcel": parcel,
            "lines": [(line.count, line.item.name) for line in parcel.lines.all()],
            "url": parcel.tracking_url,
        }
        for parcel in order_shipments(order.pk)
    ]
    in_parcels = {row["parcel"].tracking_id for row in parcels}
    trackings = [
        {"tracking": t, "url": t.tracking_url}
        for t in order.trackings.all()
        if t.pk not in in_parcels
    ]
    return parcels, trackings


def _returns(order: Order) -> list[dict]:
    """Goods on their way back or taken back, oldest first: when, what, and how far."""
    return [
        {
            "goods_return": goods_return,
            "lines": [(line.count, line.item.name) for line in goods_return.lines.all()],
        }
        for goods_return in order_returns(order.pk)
    ]


# A state record's change -> what happened, for the customer.
STATE_WORDS = {
    ("shipping_state", "sent"): gettext_lazy("Order sent"),
    ("shipping_state", "delivered"): gettext_lazy("Order delivered"),
    ("closing_state", "done"): gettext_lazy("Order completed"),
    ("closing_state", "canceled"): gettext_lazy("Order canceled"),
}


def _new_value(record: HistoryRecord, key: str):
    change = (record.changes or {}).get(key)
    return change[1] if isinstance(change, list) and len(change) == 2 else None


def _amount(value, currency: str) -> str | None:
    try:
        return format_money(Decimal(str(value)), currency) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def history_text(record: HistoryRecord, order: Order) -> str:
    """A customer-visible history record in the active language. The stored name is the
    record's English text (the API hands it out as written); the customer reads what
    happened in their order's language, worded from the record's type and changes. A record
    this does not know (a note an integration added) shows its name as written."""
    currency = order.order_currency_code
    if record.type == "created":
        return gettext("Order created")
    if record.type == "state":
        for (field, state), words in STATE_WORDS.items():
            if _new_value(record, field) == state:
                return str(words)
    if record.type == "status" and record.status:
        return gettext("Status changed to %(status)s") % {"status": record.status}
    if record.type == "payment":
        paid = _amount(_new_value(record, "paid"), currency)
        if paid:
            return gettext("Payment received: %(amount)s paid") % {"amount": paid}
    if record.type == "refund":
        refund = _new_value(record, "refund")
        amount = _amount(refund.get("amount") if isinstance(refund, dict) else None, currency)
        if amount:
            return gettext("Refund: %(amount)s") % {"amount": amount}
    if record.type == "tracking":
        parcel = _new_value(record, "tracking")
        number = parcel.get("tracking_number") if isinstance(parcel, dict) else None
        carriers = {t.tracking_number: t.shipper.name for t in order.trackings.all()}
        if number in carriers:
            return gettext("Tracking number added: %(carrier)s %(number)s") % {
                "carrier": carriers[number],
                "number": number,
            }
    return record.name


@require_safe
def order_page(request, order_hash):
    """The customer's view of an order: items, money, refunds, returns, status, parcels and
    its timeline, in the order's language (orders/language.py), whatever the browser asks
    (its amounts and dates too)."""
    order = _order_or_404(order_hash)
    language = order_language(order)
    parcels, trackings = _parcels(order)
    with translation.override(language):
        records = order.history.filter(customer_visible=True).order_by("created_at", "id")
        timeline = [{"record": r, "text": history_text(r, order)} for r in records]
        context = {
            "order": order,
            "lines": _lines(order),
            "money": _money(order),
            "status": _status(order),
            "parcels": parcels,
            "trackings": trackings,
            "timeline": timeline,
            "refunds": _refunds(order),
            "returns": _returns(order),
        }
        response = render(request, "orders/order_page.html", context)
    response["Content-Language"] = language
    return _private(response)
