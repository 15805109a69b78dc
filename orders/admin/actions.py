"""Bulk actions of the order change list. Each order goes through its own service, so
one refused order does not stop the others and every change is in the history."""

import csv

from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.utils import timezone

from .. import exports, services
from ..actors import Actor
from ..errors import OrderError

# How many refusals a message lists by name.
SHOWN_FAILURES = 10


def error_text(error: OrderError) -> str:
    """A service refusal in words: its message and, if any, what would be allowed."""
    detail = error.detail if isinstance(error.detail, str) else ""
    return f"{error.message} {detail}".strip()


def run_for_each(request, queryset, *, verb: str, service, **kwargs) -> None:
    """Call `service` for every selected order and report what succeeded and what not."""
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
        noun = "order" if succeeded == 1 else "orders"
        messages.success(request, f"{succeeded} {noun} {verb}.")
    if failed:
        listed = "; ".join(f"Order {pk}: {text}" for pk, text in failed[:SHOWN_FAILURES])
        more = f" (and {len(failed) - SHOWN_FAILURES} more)" if len(failed) > SHOWN_FAILURES else ""
        messages.error(request, f"{len(failed)} not {verb}: {listed}{more}")


@admin.action(description="Assign the chosen status", permissions=["change"])
def assign_status(modeladmin, request, queryset):
    status_id = request.POST.get("status")
    if not status_id:
        messages.error(request, "Choose a status in the action bar first.")
        return None
    run_for_each(
        request,
        queryset,
        verb="given the status",
        service=services.order_status_assign,
        status_id=status_id,
    )
    return None


@admin.action(description="Mark sent", permissions=["change"])
def mark_sent(modeladmin, request, queryset):
    run_for_each(request, queryset, verb="marked sent", service=services.order_mark_sent)


@admin.action(description="Mark done", permissions=["change"])
def mark_done(modeladmin, request, queryset):
    run_for_each(request, queryset, verb="marked done", service=services.order_mark_done)


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


@admin.action(description="Export the selection as CSV", permissions=["view"])
def export_csv(modeladmin, request, queryset):
    filename = f"orders-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        _csv_rows(queryset),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
