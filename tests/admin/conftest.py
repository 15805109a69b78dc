import datetime

import pytest
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.urls import reverse

from tests.factories import UserFactory, order_with_items


@pytest.fixture
def superuser():
    return UserFactory(username="boss", is_superuser=True)


@pytest.fixture
def manager():
    user = UserFactory(username="manager")
    user.groups.add(Group.objects.get(name="Order managers"))
    return user


@pytest.fixture
def support():
    user = UserFactory(username="support")
    user.groups.add(Group.objects.get(name="Support"))
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def support_client(client, support):
    client.force_login(support)
    return client


@pytest.fixture
def order(db):
    """An open, unsent order of two items (12.10 x 1 + 12.10 x 2 = 36.30 EUR)."""
    return order_with_items(items=2, our_note="VIP, handle with care")


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def transition_url(order, action: str) -> str:
    return reverse("admin:orders_order_transition", args=[order.pk, action])


def _as_post(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if hasattr(value, "pk"):
        return value.pk
    return value


def change_form_data(response) -> dict:
    """What a browser would post back from the change page, untouched."""
    data = {}
    form = response.context["adminform"].form
    forms = [("", form)]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        forms += [(None, f) for f in formset.forms]
    for _, each in forms:
        for name, field in each.fields.items():
            key = each.add_prefix(name)
            value = each[name].value()
            if isinstance(field.widget, MultiWidget):
                if isinstance(value, datetime.datetime):
                    value = [value.date().isoformat(), value.strftime("%H:%M:%S")]
                for i, part in enumerate(value or ["", ""]):
                    data[f"{key}_{i}"] = part
                continue
            checkbox = getattr(field.widget, "input_type", "") == "checkbox"
            if value is False or (value is None and checkbox):
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[key] = _as_post(value)
    return data
