"""VAT numbers, company numbers, IBANs and BICs, checked with python-stdnum.

A number is checked where we know which country's rules apply:
- a VAT number by its own country prefix (CZ12345678, DE136695976; EL for Greece) or,
  without one, by the party's country (`state_code`);
- a company number by the party's country, for the countries stdnum knows one for
  (CZ: IČO, 8 digits with the mod-11 check digit; PL: REGON; FR: SIREN; ES: CIF).
Anything else (no country, a country stdnum has no rules for) is left as given: we refuse
only what we can show is wrong. Empty values are fine (a private buyer has neither).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import bic as stdnum_bic
from stdnum import get_cc_module
from stdnum import iban as stdnum_iban
from stdnum.cz import dic as cz_dic
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidLength
from stdnum.exceptions import ValidationError as NumberError

# Countries whose company registration number stdnum can check, and the module.
COMPANY_NUMBER_MODULES = {"PL": "regon", "FR": "siren", "ES": "cif"}


def _why(error: NumberError) -> str:
    return (error.message or "invalid").rstrip(".").lower()


def _vat_module(value: str, country: str):
    prefix = value[:2].upper()
    if prefix.isalpha():
        if prefix in eu_vat.MEMBER_STATES or prefix in ("EL", "XI"):
            return eu_vat, True
        module = get_cc_module(prefix.lower(), "vat")
        return module, True
    if country:
        return get_cc_module(country.lower(), "vat"), False
    return None, False


def check_vat_number(value: str, country: str = "") -> None:
    """Raise ValidationError when `value` is not a valid VAT number."""
    value = (value or "").strip()
    if not value:
        return
    module, prefixed = _vat_module(value, (country or "").strip())
    if module is None:
        return
    number = value if module is eu_vat or not prefixed else value[2:]
    try:
        module.validate(number)
    except NumberError as error:
        raise ValidationError(
            gettext("%(value)r is not a valid VAT number (%(why)s).")
            % {"value": value, "why": _why(error)},
            code="vat_number",
        ) from None


def _czech_company_number(value: str) -> str:
    """IČO: exactly eight digits with the check digit of a Czech legal entity's DIČ."""
    if len(value) != 8 or not value.isdigit():
        raise InvalidLength()
    return cz_dic.validate(value)


def check_company_number(value: str, country: str = "") -> None:
    """Raise ValidationError when `value` is not a valid company number of `country`."""
    value = (value or "").strip()
    country = (country or "").strip().upper()
    if not value or not country:
        return
    if country == "CZ":
        check = _czech_company_number
    elif country in COMPANY_NUMBER_MODULES:
        module = get_cc_module(country.lower(), COMPANY_NUMBER_MODULES[country])
        if module is None:
            return
        check = module.validate
    else:
        return
    try:
        check(value.replace(" ", ""))
    except NumberError as error:
        raise ValidationError(
            gettext("%(value)r is not a valid company number in %(country)s (%(why)s).")
            % {"value": value, "country": country, "why": _why(error)},
            code="company_number",
        ) from None


def check_iban(value: str) -> None:
    value = (value or "").strip()
    if value:
        try:
            stdnum_iban.validate(value)
        except NumberError as error:
            raise ValidationError(
                gettext("%(value)r is not a valid IBAN (%(why)s).")
                % {"value": value, "why": _why(error)}
            ) from None


def check_bic(value: str) -> None:
    value = (value or "").strip()
    if value:
        try:
            stdnum_bic.validate(value)
        except NumberError as error:
            raise ValidationError(
                gettext("%(value)r is not a valid BIC (%(why)s).")
                % {"value": value, "why": _why(error)}
            ) from None


def party_errors(party, *, prefix: str = "") -> dict[str, list[str]]:
    """{field: [why]} for the VAT and company numbers of an object or dict with
    company_vat, company_nr and state_code (a company, an order, an API body)."""

    def get(name):
        return party.get(name) if isinstance(party, dict) else getattr(party, name, "")

    country = get("state_code") or ""
    errors = {}
    for field, check in (("company_vat", check_vat_number), ("company_nr", check_company_number)):
        try:
            check(get(field) or "", country)
        except ValidationError as error:
            errors[prefix + field] = list(error.messages)
    return errors
