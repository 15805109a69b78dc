"""manage.py export_invoices: the PDFs and XMLs of a period, for the accountant."""

import csv
import datetime

import facturx
import pytest
from django.utils import timezone
from django.utils.text import slugify

from invoices import services as invoicing
from orders import services
from tests.factories import ChannelFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(channel, actor, staff_actor):
    first = invoicing.invoice_issue(order_id=make_order(channel, actor).pk, actor=staff_actor)
    services.order_cancel(order_id=first.order_id, actor=actor)
    other = ChannelFactory()
    elsewhere = invoicing.invoice_issue(order_id=make_order(other, actor).pk, actor=staff_actor)
    return first, first.credit_notes.get(), elsewhere


def test_it_writes_each_documents_pdf_and_xml_and_a_listing(run, issued, tmp_path, capsys):
    first, note, elsewhere = issued
    today = timezone.localdate().isoformat()

    result = run("export_invoices", "--from", today, "--to", today, "-o", str(tmp_path))

    names = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.*"))
    seller = f"{first.company_id}-tea-seller-sro"
    other = f"{elsewhere.company_id}-{slugify(elsewhere.seller['name'])}"
    assert names == sorted(
        [
            "documents.csv",
            f"{seller}/{first.number}.pdf",
            f"{seller}/{first.number}.xml",
            f"{seller}/{note.number}.pdf",
            f"{seller}/{note.number}.xml",
            f"{other}/{elsewhere.number}.pdf",
            f"{other}/{elsewhere.number}.xml",
        ]
    )
    assert first.number == elsewhere.number  # each seller's own series
    data = (tmp_path / seller / f"{first.number}.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    _, embedded = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert embedded == (tmp_path / seller / f"{first.number}.xml").read_bytes()
    assert facturx.xml_check_xsd((tmp_path / seller / f"{note.number}.xml").read_bytes())
    with (tmp_path / "documents.csv").open() as listing:
        rows = list(csv.DictReader(listing))
    assert {row["number"] for row in rows} == {first.number, note.number, elsewhere.number}
    assert "Wrote 3 documents issued" in result.stdout
    assert "3/3" in capsys.readouterr().err  # the progress bar


def test_company_and_dates_narrow_it_down(run, issued, tmp_path):
    first, _note, _ = issued
    today = timezone.localdate()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()

    run("export_invoices", "--from", today.isoformat(), "--to", today.isoformat(),
        "--company", str(first.company_id), "-o", str(tmp_path / "one"))  # fmt: skip
    run("export_invoices", "--from", yesterday, "--to", yesterday, "-o", str(tmp_path / "none"))

    assert len(list((tmp_path / "one").rglob("*.pdf"))) == 2
    assert list((tmp_path / "none").rglob("*.pdf")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "is not a date"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--to is before --from"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--company", "999999"], "Unknown company"),
    ],
)
def test_bad_options_are_refused(run_failing, db, args, message):
    assert message in str(run_failing("export_invoices", *args).error)
