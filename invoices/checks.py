"""The invoices' invariants, verified on the stored rows (run by `manage.py check_orders`):

- a document's total_base and total are the sums of its lines, total_vat their difference,
  and each line's totals are its unit prices times its count;
- per VAT rate, an invoice and its credit notes never come below zero (credit notes never
  take back more than was invoiced);
- each series is unbroken: its documents are numbered 1..N and the series row's last
  number is N.

Three aggregate queries in all, whatever the number of documents.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.checks import Problem

from .models import Invoice, InvoiceLine, NumberSeries

ZERO = Decimal("0")
SERIES_NAMES = {"invoice": _("invoice"), "credit_note": _("credit note")}


def check_invoices() -> Iterator[Problem]:
    yield from _document_problems()
    yield from _credit_problems()
    yield from _series_problems()


def _document_problems() -> Iterator[Problem]:
    documents = Invoice.objects.annotate(
        lines_base=Coalesce(Sum("lines__total_base"), ZERO),
        lines_final=Coalesce(Sum("lines__total_final"), ZERO),
        bad_lines=Count(
            "lines",
            filter=~Q(lines__total_base=F("lines__unit_base") * F("lines__count"))
            | ~Q(lines__total_final=F("lines__unit_final") * F("lines__count")),
        ),
    ).values_list(
        "order_id", "number", "total_base", "total_vat", "total", "lines_base", "lines_final",
        "bad_lines",
    )  # fmt: skip
    for order_id, number, base, vat, total, lines_base, lines_final, bad in documents:
        if (base, total) != (lines_base, lines_final) or vat != total - base:
            yield Problem(
                order_id,
                gettext(
                    "document %(number)s says %(base)s + %(vat)s = %(total)s but its lines add "
                    "up to %(lines_base)s + %(lines_vat)s = %(lines_total)s"
                )
                % {
                    "number": number,
                    "base": base,
                    "vat": vat,
                    "total": total,
                    "lines_base": lines_base,
                    "lines_vat": lines_final - lines_base,
                    "lines_total": lines_final,
                },
            )
        if bad:
            yield Problem(
                order_id,
                gettext(
                    "document %(number)s has %(count)s line(s) whose totals are not unit "
                    "price x count"
                )
                % {"number": number, "count": bad},
            )


def _credit_problems() -> Iterator[Problem]:
    # Per invoice and rate: the invoice's own lines and its credit notes' lines.
    rows = (
        InvoiceLine.objects.annotate(root=Coalesce("invoice__corrects_id", "invoice_id"))
        .values("root", "vat")
        .annotate(base=Sum("total_base"), final=Sum("total_final"))
        .order_by()
    )
    left = defaultdict(dict)
    for row in rows:
        left[row["root"]][row["vat"]] = (row["base"], row["final"])
    invoices = Invoice.objects.filter(pk__in=list(left)).values_list("pk", "order_id", "number")
    for pk, order_id, number in invoices:
        for rate, (base, final) in sorted(left[pk].items(), reverse=True):
            if final < ZERO or (final == ZERO and base < ZERO):
                yield Problem(
                    order_id,
                    gettext(
                        "credit notes take back more than invoice %(number)s at %(rate)s %% VAT "
                        "(%(left)s left)"
                    )
                    % {"number": number, "rate": rate, "left": final},
                )


def _series_problems() -> Iterator[Problem]:
    taken = (
        Invoice.objects.values("company_id", "kind", "year")
        .annotate(count=Count("id"), last=Max("sequence"), first_order=Max("order_id"))
        .order_by()
    )
    rows = NumberSeries.objects.values_list("company_id", "kind", "year", "last_number")
    series = {(company, kind, year): last for company, kind, year, last in rows}
    for row in taken:
        key = (row["company_id"], row["kind"], row["year"])
        expected = series.get(key)
        if row["count"] != row["last"] or expected != row["last"]:
            yield Problem(
                row["first_order"],
                gettext(
                    "the %(kind)s series of company %(company)s in %(year)s is broken: "
                    "%(count)s documents numbered up to %(last)s, the series says %(expected)s"
                )
                % {
                    "kind": SERIES_NAMES.get(row["kind"], row["kind"]),
                    "company": row["company_id"],
                    "year": row["year"],
                    "count": row["count"],
                    "last": row["last"],
                    "expected": expected,
                },
            )
