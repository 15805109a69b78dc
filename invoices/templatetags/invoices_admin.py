"""The order page's invoices panel (templates/admin/orders/order/change_form.html includes it
with `{% order_invoices order %}`): the invoice and credit notes with their PDFs, and the
"Issue invoice" button while the order has none."""

from django import template

from orders.money import format_money

from ..admin import pdf_url
from ..models import DocumentKind, Invoice

register = template.Library()


@register.inclusion_tag("invoices/admin/order_invoices.html", takes_context=True)
def order_invoices(context, order):
    request = context["request"]
    documents = list(
        Invoice.objects.filter(order=order).select_related("order", "corrects").order_by("id")
    )
    rows = [
        {
            "document": document,
            "total": format_money(document.total, document.currency_code),
            "pdf_url": pdf_url(document),
        }
        for document in documents
    ]
    invoiced = any(d.kind == DocumentKind.INVOICE for d in documents)
    return {
        "order": order,
        "rows": rows,
        "can_issue": not invoiced
        and not order.canceled
        and request.user.has_perm("invoices.add_invoice"),
    }
