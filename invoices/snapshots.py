"""What an issued document copies from the order and the seller: plain JSON-able dicts and
unsaved lines. Read by the issuing services only, with the order row locked."""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from orders.models import Company, ItemKind, Order

from .models import InvoiceLine, InvoiceSettings, LineKind

ZERO = Decimal("0")

LINE_KINDS = {
    ItemKind.PRODUCT: LineKind.PRODUCT,
    ItemKind.SHIPPING: LineKind.SHIPPING,
    ItemKind.PAYMENT: LineKind.PAYMENT,
    ItemKind.DISCOUNT: LineKind.DISCOUNT,
}


def seller_of(order: Order) -> Company | None:
    """The order's seller: its company, or its channel's."""
    if order.company_id:
        return order.company
    if order.channel_id and order.channel.company_id:
        return order.channel.company
    return None


def settings_of(company: Company) -> InvoiceSettings:
    """The company's invoicing settings, or the defaults (unsaved) when it has none."""
    try:
        return company.invoice_settings
    except InvoiceSettings.DoesNotExist:
        return InvoiceSettings(company=company)


def seller(company: Company, settings: InvoiceSettings) -> dict:
    return {
        "name": company.name,
        "street": company.street,
        "city": company.city,
        "zip": company.zip,
        "country": company.state_code,
        "company_nr": company.company_nr,
        "company_vat": company.company_vat,
        "email": company.email,
        "phone": company.phone,
        "bank_account": company.bank_account,
        "iban": settings.iban.replace(" ", "").upper(),
        "bic": settings.bic.replace(" ", "").upper(),
        "footer": settings.footer,
    }


def buyer(order: Order) -> dict:
    return {
        "name": order.name,
        "street": order.street,
        "city": order.city,
        "zip": order.zip,
        "country": order.state_code,
        "company_nr": order.company_nr,
        "company_vat": order.company_vat,
        "email": order.email,
        "phone": order.phone,
    }


def delivery(order: Order) -> dict:
    """Where the goods went: the delivery address, or the billing one when none was given
    (as the order page shows it)."""
    own = bool(order.delivery_street or order.delivery_city)
    prefix = "delivery_" if own else ""
    return {
        "name": order.delivery_name or order.name,
        "street": getattr(order, f"{prefix}street"),
        "city": getattr(order, f"{prefix}city"),
        "zip": getattr(order, f"{prefix}zip"),
        "country": getattr(order, f"{prefix}state_code"),
        "phone": order.delivery_phone or order.phone,
        "email": order.delivery_email or order.email,
    }


def payment(order: Order, *, variable_symbol: str, seller_data: dict) -> dict:
    reference = f"{order.external_order_prefix}{order.external_order_id}"
    return {
        "order_id": order.pk,
        "order_reference": reference,
        "order_date": timezone.localtime(order.date_order).date().isoformat(),
        "payment_method": order.payment.name if order.payment_id else "",
        "shipping_method": order.shipping.name if order.shipping_id else "",
        "variable_symbol": variable_symbol,
        "iban": seller_data["iban"],
        "bic": seller_data["bic"],
        "bank_account": seller_data["bank_account"],
    }


def taxable_supply_date(order: Order, issue_date):
    """The earlier of payment and dispatch (the supply happened then), else the issue date."""
    moments = [moment for moment in (order.date_paid, order.date_sent) if moment is not None]
    if not moments:
        return issue_date
    return min(timezone.localtime(moment).date() for moment in moments)


def order_lines(order: Order) -> list[InvoiceLine]:
    """The order's lines as invoice lines (unsaved): products, fees and discounts, in the
    order they were added."""
    return [
        InvoiceLine(
            position=position,
            kind=LINE_KINDS.get(item.kind, LineKind.PRODUCT),
            order_item_id=item.pk,
            name=item.name,
            code=item.code,
            count=item.count,
            unit_base=item.unit_price_base,
            unit_final=item.unit_price_final,
            vat=item.vat,
            total_base=item.unit_price_base * item.count,
            total_final=item.unit_price_final * item.count,
        )
        for position, item in enumerate(order.items.order_by("id"), start=1)
    ]


def totals(lines) -> tuple[Decimal, Decimal]:
    """(base, final) of lines."""
    base = sum((line.total_base for line in lines), ZERO)
    final = sum((line.total_final for line in lines), ZERO)
    return base, final


def by_rate(lines) -> dict[Decimal, list[Decimal]]:
    """VAT rate -> [base, final] of lines."""
    sums = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        sums[line.vat][0] += line.total_base
        sums[line.vat][1] += line.total_final
    return dict(sums)
