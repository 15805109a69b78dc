"""manage.py export_invoices --from DATE --to DATE [--company ID] [-o DIR]"""

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from tqdm import tqdm

from invoices import einvoice, pdf, rendering
from invoices.admin import CSV_HEADER, _settled, csv_row
from invoices.models import Invoice
from orders.models import Company


def _date(value: str, option: str):
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise CommandError(
            gettext("%(option)s %(value)r is not a date (YYYY-MM-DD).")
            % {"option": option, "value": value}
        )
    return day


def file_stem(document: Invoice) -> str:
    """<seller id>-<seller>/<number>: numbers repeat across sellers, so each has a folder."""
    seller = slugify(document.seller.get("name", "")) or "seller"
    return f"{document.company_id}-{seller}/{document.number.replace('/', '-')}"


class Command(BaseCommand):
    help = _(
        "Write the invoices and credit notes issued in a period, for the accountant: per "
        "document its PDF (with the Factur-X XML inside) and the XML alone, in a folder per "
        "seller, plus documents.csv listing them all. A progress bar goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="date_from", metavar="DATE", required=True,
            help=_("Documents issued on or after this date (YYYY-MM-DD)."),
        )  # fmt: skip
        parser.add_argument(
            "--to", dest="date_to", metavar="DATE", required=True,
            help=_("Documents issued up to this date, inclusive (YYYY-MM-DD)."),
        )  # fmt: skip
        parser.add_argument("--company", type=int, metavar="ID", help=_("Only this seller's."))
        parser.add_argument(
            "-o", "--output", metavar="DIR", default=".",
            help=_("The folder to write into (made if missing; default: the current one)."),
        )  # fmt: skip

    def handle(self, *args, **options):
        start = _date(options["date_from"], "--from")
        end = _date(options["date_to"], "--to")
        if end < start:
            raise CommandError(gettext("--to is before --from."))
        documents = Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end)
        if options["company"] is not None:
            if not Company.objects.filter(pk=options["company"]).exists():
                raise CommandError(gettext("Unknown company %(id)s.") % {"id": options["company"]})
            documents = documents.filter(company_id=options["company"])
        documents = (
            documents.select_related("order", "corrects")
            .prefetch_related("lines")
            .annotate(settled=_settled())
            .order_by("company_id", "issue_date", "kind", "sequence")
        )
        folder = Path(options["output"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                gettext("Cannot write to %(folder)s: %(error)s")
                % {"folder": folder, "error": error}
            ) from None
        total = documents.count()
        written = 0
        with (folder / "documents.csv").open("w", newline="", encoding="utf-8") as listing:
            writer = csv.writer(listing)
            writer.writerow(CSV_HEADER)
            progress = tqdm(
                documents.iterator(chunk_size=100),
                total=total,
                unit="document",
                file=sys.stderr,
                disable=options["verbosity"] == 0,
            )
            for document in progress:
                stem = file_stem(document)
                (folder / stem).parent.mkdir(exist_ok=True)
                (folder / f"{stem}.xml").write_bytes(einvoice.xml(document))
                (folder / f"{stem}.pdf").write_bytes(pdf.pdf(rendering.issued(document)))
                writer.writerow(csv_row(document))
                written += 1
        self.stdout.write(
            ngettext(
                "Wrote %(count)s document issued %(start)s to %(end)s to %(folder)s "
                "(a PDF and an XML, and documents.csv).",
                "Wrote %(count)s documents issued %(start)s to %(end)s to %(folder)s "
                "(a PDF and an XML each, and documents.csv).",
                written,
            )
            % {"count": written, "start": start, "end": end, "folder": folder}
        )
