"""The order page's returns panel (templates/admin/orders/order/change_form.html includes it
with `{% order_returns order %}`): the order's returns with their lines, state and refund,
the Receive, Refund and Reject buttons, and "New return" while the order takes one."""

from django import template

from orders.admin.returns import order_returns_context

register = template.Library()


@register.inclusion_tag("admin/orders/order/_returns.html", takes_context=True)
def order_returns(context, order):
    return order_returns_context(context["request"], order)
