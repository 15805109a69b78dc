"""QR payment codes on unpaid invoices, drawn with segno.

- CZK: SPAYD ("QR Platba", the Czech Banking Association's Short Payment Descriptor 1.0):
  `SPD*1.0*ACC:<IBAN>[+<BIC>]*AM:<amount>*CC:CZK*DT:<due YYYYMMDD>*MSG:<text>*X-VS:<symbol>`.
  Keys in the standard's canonical (alphabetical) order, so one payment always gives one
  string; values in upper case without diacritics (the QR code's compact alphanumeric
  mode), `*` and `%` percent-encoded as the standard says.
- EUR: the EPC QR code (EPC069-12, SEPA credit transfer), version 002, UTF-8: twelve
  lines `BCD`, `002`, `1`, `SCT`, BIC, name, IBAN, `EUR<amount>`, purpose, the structured
  reference, the text, the information; empty trailing lines left out. The invoice number
  travels as an ISO 11649 creditor reference (RF + check digits + its letters and digits),
  which banks pass on to the seller unchanged.
Other currencies get no code (neither standard carries them).
"""

import re
import unicodedata
from datetime import date
from decimal import Decimal

import segno
from stdnum.iso7064 import mod_97_10

SPAYD_LIMITS = {"MSG": 60, "RN": 35, "X-VS": 10}


def _plain(text: str) -> str:
    """Upper case ASCII without diacritics: the QR code's alphanumeric set."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.upper().split())


def _spayd_value(text: str) -> str:
    return text.replace("%", "%25").replace("*", "%2A")


def spayd(
    *,
    iban: str,
    amount: Decimal | None = None,
    currency: str = "CZK",
    bic: str = "",
    due_date: date | None = None,
    message: str = "",
    recipient: str = "",
    variable_symbol: str = "",
) -> str:
    """The SPAYD 1.0 string of a payment."""
    fields = {"ACC": f"{iban}+{bic}" if bic else iban, "CC": currency}
    if amount is not None:
        fields["AM"] = f"{amount:.2f}"
    if due_date is not None:
        fields["DT"] = due_date.strftime("%Y%m%d")
    for key, value in (("MSG", message), ("RN", recipient), ("X-VS", variable_symbol)):
        value = _plain(value)[: SPAYD_LIMITS[key]]
        if value:
            fields[key] = value
    pairs = [f"{key}:{_spayd_value(fields[key])}" for key in sorted(fields)]
    return "*".join(["SPD", "1.0", *pairs])


def creditor_reference(text: str) -> str:
    """ISO 11649 creditor reference of the letters and digits of `text` (at most 21)."""
    body = re.sub(r"[^A-Za-z0-9]", "", text).upper()[:21]
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def _epc_amount(amount: Decimal) -> str:
    # "EUR12.3": two decimals at most, no trailing zeros (as the guidelines' sample).
    text = f"{amount:.2f}".rstrip("0").rstrip(".")
    return f"EUR{text}"


def epc(
    *,
    name: str,
    iban: str,
    amount: Decimal | None = None,
    bic: str = "",
    purpose: str = "",
    reference: str = "",
    text: str = "",
    information: str = "",
    version: str = "002",
) -> str:
    """The EPC QR code's text of a SEPA credit transfer (a reference or a text, not both)."""
    if reference and text:
        raise ValueError("An EPC QR code carries a structured reference or a text, not both.")
    lines = [
        "BCD",
        version,
        "1",
        "SCT",
        bic,
        name[:70],
        iban,
        _epc_amount(amount) if amount is not None else "",
        purpose[:4],
        reference[:35],
        text[:140],
        information[:70],
    ]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def payment_text(document) -> str | None:
    """The QR code's text for an issued invoice with an amount due, or None."""
    payment, seller = document.payment, document.seller
    if document.is_credit_note or document.amount_due <= 0 or not payment.get("iban"):
        return None
    if document.currency_code == "CZK":
        return spayd(
            iban=payment["iban"],
            bic=payment.get("bic", ""),
            amount=document.amount_due,
            due_date=document.due_date,
            message=f"Invoice {document.number}",
            variable_symbol=payment.get("variable_symbol", ""),
        )
    if document.currency_code == "EUR":
        return epc(
            name=seller["name"],
            iban=payment["iban"],
            bic=payment.get("bic", ""),
            amount=document.amount_due,
            reference=creditor_reference(document.number),
        )
    return None


def svg_data_uri(text: str) -> str:
    """The QR code as an SVG data URI, for <img> in the page and in the PDF."""
    code = segno.make(text, error="m", micro=False, encoding="utf-8")
    return code.svg_data_uri(scale=3, border=2)
