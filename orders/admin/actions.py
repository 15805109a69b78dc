"""Bulk actions of the order change list. Each order goes through its own service, so
one refused order does not stop the others and every change is in the history."""

import csv

from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import exports, services
from ..actors import Actor
from ..errors import OrderError

# How many refusals a message lists by name.
SHOWN_FAILURES = 10


def error_text(error: OrderError) -> str:
    """A service refusal in words: its message and, if any, what would be allowed (the
    services' messages are the API's, in English: docs/admin.md, Languages)."""
    detail = error.detail if isinstance(error.detail, str) else ""
    return f"{error.message} {detail}".strip()


def run_for_each(request, queryset, *, done, refused, service, **kwargs) -> None:
    """Call `service` for every selected order and report what succeeded and what not.

    `done(n)` and `refused(n)` word the outcome for n orders (plural forms differ by language).
    """
    actor = Actor.for_user(request.user)
    succeeded, failed = 0, []
    for order_id in queryset.values_list("pk", flat=True):
        try:
            service(order_id=order_id, actor=actor, **kwargs)
        except OrderError as error:
            failed.append((order_id, error_text(error)))
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, done(succeeded))
    if failed:
        listed = "; ".join(
            gettext("Order %(id)s: %(refusal)s") % {"id": pk, "refusal": text}
            for pk, text in failed[:SHOWN_FAILURES]
        )
        if len(failed) > SHOWN_FAILURES:
            listed += " " + gettext("(and %(count)d more)") % {
                "count": len(failed) - SHOWN_FAILURES
            }
        messages.error(request, f"{refused(len(failed))}: {listed}")


@admin.action(description=_("Assign the chosen status"), permissions=["change"])
def assign_status(modeladmin, request, queryset):
    status_id = request.POST.get("status")
    if not status_id:
        messages.error(request, gettext("Choose a status in the action bar first."))
        return None
    run_for_each(
        request,
        queryset,
        done=lambda n: (
            ngettext("%(count)d order given the status.", "%(count)d orders given the status.", n)
            % {"count": n}
        ),
        refused=lambda n: (
            ngettext("%(count)d not given the status", "%(count)d not given the status", n)
            % {"count": n}
        ),
        service=services.order_status_assign,
        status_id=status_id,
    )
    return None


@admin.action(description=_("Mark sent"), permissions=["change"])
def mark_sent(modeladmin, request, queryset):
    run_for_each(
        request,
        queryset,
        done=lambda n: (
            ngettext("%(count)d order marked sent.", "%(count)d orders marked sent.", n)
            % {"count": n}
        ),
        refused=lambda n: (
            ngettext("%(count)d not marked sent", "%(count)d not marked sent", n) % {"count": n}
        ),
        service=services.order_mark_sent,
    )


@admin.action(description=_("Mark done"), permissions=["change"])
def mark_done(modeladmin, request, queryset):
    run_for_each(
        request,
        queryset,
        done=lambda n: (
            ngettext("%(count)d order marked done.", "%(count)d orders marked done.", n)
            % {"count": n}
        ),
        refused=lambda n: (
            ngettext("%(count)d not marked done", "%(count)d not marked done", n) % {"count": n}
        ),
        service=services.order_mark_done,
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv rows."""

    def write(self, value):
        return value


def _csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(exports.CSV_COLUMNS)
    orders = queryset.select_related("status").prefetch_related("trackings")
    for order in exports.iter_in_chunks(orders):
        yield writer.writerow(exports.order_csv_row(order))


@admin.action(description=_("Export the selection as CSV"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    filename = f"orders-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        _csv_rows(queryset),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
