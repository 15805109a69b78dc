import functools
import os
import sys
import tempfile
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from orders.exports import WRITERS, ExportFilter, iter_in_chunks, orders_for_export
from orders.models import Channel
from orders.reference_data import references_for
from statuses.models import OrderStatus


def _moment(value: str, option: str, *, end: bool = False) -> datetime:
    """A --from/--to value: a date (a whole day) or an ISO 8601 date-time."""
    try:
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        day = moment = None
    if day is not None:
        # --to 2025-01-31 includes that whole day.
        moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    if moment is None:
        raise CommandError(
            _("%(option)s %(value)r is not a date (YYYY-MM-DD) or ISO 8601 date-time.")
            % {"option": option, "value": value}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Export orders as CSV (one row per order) or JSON Lines (one Order per line, the API's "
        "wire shape), streamed in bounded memory. Writes to stdout unless -o is given; a "
        "progress bar goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=sorted(WRITERS),
            required=True,
            help="csv: one row per order with the main columns; jsonl: one Order object per "
            "line, as GET /System/Orders/{id} answers it (plus its import_key), after a first "
            "line with the channels, companies, carriers, ways of shipping and paying and "
            "statuses they use: what import_orders reads.",
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            metavar="DATE",
            help="Orders made on or after this date (YYYY-MM-DD) or date-time (ISO 8601).",
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            metavar="DATE",
            help="Orders made up to this date, inclusive (YYYY-MM-DD), or before a date-time.",
        )
        parser.add_argument("--status", type=int, metavar="ID", help="Only orders in this status.")
        parser.add_argument(
            "--channel", type=int, metavar="ID", help="Only orders of this sales channel."
        )
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="Write here instead of stdout (written to a temporary file and renamed "
            "when complete, so a failed export leaves no half-written file).",
        )

    def handle(self, *args, **options):
        filters = self._filters(options)
        queryset = orders_for_export(filters)
        total = queryset.count()
        write = WRITERS[options["format"]]
        if options["format"] == "jsonl":
            references = references_for(queryset)
            write = functools.partial(write, references=references)
        progress = dict(
            total=total, unit="order", file=sys.stderr, disable=options["verbosity"] == 0
        )
        if not options["output"]:
            try:
                with tqdm(iter_in_chunks(queryset), **progress) as orders:
                    # Straight to the underlying stream: the wrapper would add line endings.
                    write(orders, self.stdout._out)
            except BrokenPipeError:
                # The reader stopped early (`| head`): not a failure of the export. Point
                # stdout at /dev/null so Python's final flush does not fail again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        count = self._export_to_file(options["output"], write, queryset, progress)
        self.stderr.write(
            ngettext(
                "Exported %(count)d order to %(path)s.",
                "Exported %(count)d orders to %(path)s.",
                count,
            )
            % {"count": count, "path": options["output"]}
        )

    def _filters(self, options) -> ExportFilter:
        date_from = date_to = None
        if options["date_from"]:
            date_from = _moment(options["date_from"], "--from")
        if options["date_to"]:
            date_to = _moment(options["date_to"], "--to", end=True)
        if date_from and date_to and date_from >= date_to:
            raise CommandError(_("--from must be before --to."))
        status_id, channel_id = options["status"], options["channel"]
        if status_id is not None and not OrderStatus.objects.filter(pk=status_id).exists():
            raise CommandError(_("Unknown status %(id)s.") % {"id": status_id})
        if channel_id is not None and not Channel.objects.filter(pk=channel_id).exists():
            raise CommandError(_("Unknown channel %(id)s.") % {"id": channel_id})
        return ExportFilter(
            date_from=date_from, date_to=date_to, status_id=status_id, channel_id=channel_id
        )

    def _export_to_file(self, path, write, queryset, progress) -> int:
        if os.path.exists(path) and not os.path.isfile(path):
            # A device or pipe (/dev/null, a FIFO): nothing to protect, write straight to it.
            with (
                open(path, "w", encoding="utf-8", newline="") as out,
                tqdm(iter_in_chunks(queryset), **progress) as orders,
            ):
                return write(orders, out)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise CommandError(
                _("Cannot write %(path)s: folder %(folder)s does not exist.")
                % {"path": path, "folder": folder}
            )
        fd, temp_path = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=".part")
        try:
            with (
                open(fd, "w", encoding="utf-8", newline="") as out,
                tqdm(iter_in_chunks(queryset), **progress) as orders,
            ):
                count = write(orders, out)
            os.replace(temp_path, path)
        except BaseException:
            os.unlink(temp_path)
            raise
        return count
