"""Fixtures of the invoice tests: a seller with valid numbers and invoicing settings, and
real orders made through the services."""

from decimal import Decimal

import pytest

from invoices import services as invoicing
from invoices.models import InvoiceSettings, Trigger
from orders import services
from orders.actors import Actor
from tests.admin.conftest import (  # noqa: F401
    admin_client,
    manager,
    manager_client,
    superuser,
    support,
    support_client,
)
from tests.api.conftest import anonymous, api, api_key, read_only_api  # noqa: F401
from tests.api.test_schema import openapi  # noqa: F401
from tests.browser.conftest import chromium  # noqa: F401
from tests.commands.conftest import run, run_failing  # noqa: F401
from tests.factories import ChannelFactory, CompanyFactory, UserFactory

D = Decimal


@pytest.fixture
def staff_actor(db):
    return Actor.for_user(UserFactory(username="eva.staff"))


@pytest.fixture
def seller(db):
    """A Czech seller with a valid IČO and VAT number, its invoicing settings (no
    automatic invoices) and an account with IBAN and BIC."""
    company = CompanyFactory(
        name="Tea Seller s.r.o.",
        street="Vinohradská 12",
        city="Praha",
        zip="12000",
        state_code="CZ",
        company_nr="25123891",
        company_vat="CZ25123891",
        email="invoices@tea.example",
        bank_account="19-2000145399/0800",
    )
    InvoiceSettings.objects.create(
        company=company,
        trigger=Trigger.NEVER,
        iban="CZ6508000000192000145399",
        bic="GIBACZPX",
        due_days=14,
        footer="Registered at the Municipal Court in Prague, file C 12345.",
    )
    return company


@pytest.fixture
def channel(seller):
    return ChannelFactory(name="Tea shop", company=seller, currency_code="EUR")


def set_trigger(company, trigger: str) -> None:
    InvoiceSettings.objects.filter(company=company).update(trigger=trigger)


def make_order(channel, actor, *, currency=None, items=None, **fields):
    """Green tea 2 x 12.10 (21 %) and a cookbook 1 x 22.00 (10 %): 46.20 with VAT."""
    items = items or [
        services.ItemData(
            name="Green tea", code="GT-1", count=2, vat=D("21"), final_price=D("12.10")
        ),
        services.ItemData(
            name="Cookbook", code="CB-7", count=1, vat=D("10"), final_price=D("22.00")
        ),
    ]
    return services.order_create(
        actor=actor,
        channel_id=channel.pk,
        order_currency_code=currency or channel.currency_code,
        name=fields.pop("name", "Jana Nováková"),
        email=fields.pop("email", "jana@mail.example"),
        street=fields.pop("street", "Dlouhá 5"),
        city=fields.pop("city", "Brno"),
        zip=fields.pop("zip", "60200"),
        state_code=fields.pop("state_code", "CZ"),
        items=items,
        **fields,
    )


@pytest.fixture
def order(channel, actor):
    return make_order(channel, actor)


@pytest.fixture
def invoiced(order, staff_actor):
    """The order, paid in full, with its invoice."""
    services.order_mark_paid(order_id=order.pk, actor=staff_actor)
    return invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
