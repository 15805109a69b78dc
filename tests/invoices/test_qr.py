"""The QR payment strings, checked against the standards' published examples."""

import datetime
from decimal import Decimal

import pytest
import segno

from invoices import qr

D = Decimal


def test_spayd_matches_the_standards_example_payload():
    # The Short Payment Descriptor's own example (qr-platba.cz, Wikipedia).
    text = qr.spayd(
        iban="CZ5855000000001265098001", amount=D("480.50"), currency="CZK",
        message="PLATBA ZA ZBOZI",
    )  # fmt: skip

    assert text == "SPD*1.0*ACC:CZ5855000000001265098001*AM:480.50*CC:CZK*MSG:PLATBA ZA ZBOZI"


def test_spayd_matches_a_czech_banks_published_invoice_example():
    # Komerční banka's "QR kód do faktury": account, amount, currency, due date, symbol.
    text = qr.spayd(
        iban="CZ7801000000000000000123", amount=D("799.5"), currency="CZK",
        due_date=datetime.date(2022, 10, 1), variable_symbol="9562231077",
    )  # fmt: skip

    assert text == (
        "SPD*1.0*ACC:CZ7801000000000000000123*AM:799.50*CC:CZK*DT:20221001*X-VS:9562231077"
    )


def test_spayd_values_are_plain_upper_case_with_stars_encoded():
    text = qr.spayd(iban="CZ5855000000001265098001", bic="GIBACZPX", message="Faktura *7* 50%")

    assert text == "SPD*1.0*ACC:CZ5855000000001265098001+GIBACZPX*CC:CZK*MSG:FAKTURA %2A7%2A 50%25"
    assert qr.spayd(iban="X", message="Žluťoučký kůň").endswith("MSG:ZLUTOUCKY KUN")


def test_epc_matches_the_guidelines_sample():
    # EPC069-12's sample (version 001, as printed there): 1 EUR to the Belgian Red Cross.
    text = qr.epc(
        version="001", bic="BPOTBEB1", name="Red Cross of Belgium", iban="BE72000000001616",
        amount=D("1.00"), purpose="CHAR", text="Urgency fund", information="Sample EPC QR code",
    )  # fmt: skip

    assert text == (
        "BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\n"
        "Urgency fund\nSample EPC QR code"
    )


def test_epc_with_a_creditor_reference_and_no_trailing_lines():
    text = qr.epc(
        name="Tea Seller", iban="DE89370400440532013000", amount=D("12.30"),
        reference="RF18539007547034",
    )  # fmt: skip

    assert text == (
        "BCD\n002\n1\nSCT\n\nTea Seller\nDE89370400440532013000\nEUR12.3\n\nRF18539007547034"
    )
    with pytest.raises(ValueError, match="not both"):
        qr.epc(name="x", iban="y", reference="RF18539007547034", text="also")


def test_the_creditor_reference_matches_iso_11649s_example():
    # ISO 11649's example: RF18 5390 0754 7034.
    assert qr.creditor_reference("5390 0754 7034") == "RF18539007547034"
    assert qr.creditor_reference("2026-000123").startswith("RF")
    assert qr.creditor_reference("2026-000123").endswith("2026000123")


def test_the_qr_image_is_an_svg_and_spayd_fits_the_compact_alphanumeric_mode():
    text = qr.spayd(iban="CZ5855000000001265098001", amount=D("480.50"), message="Faktura č. 7")

    assert qr.svg_data_uri(text).startswith("data:image/svg+xml")
    assert segno.make(text, error="m").mode == "alphanumeric"
