"""Commands speak the operator's language: LANGUAGE_CODE (README, Languages). Their output
and their errors, with Czech plural forms."""

import pytest
from django.utils import translation

from orders import services
from tests.factories import order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def czech(settings):
    settings.LANGUAGE_CODE = "cs"  # what LANGUAGE_CODE=cs in the environment sets


def test_a_command_s_output_in_czech(run, czech):
    for _ in range(2):
        order_with_items(items=1)

    result = run("check_orders", verbosity=0)

    assert result.stdout == "Zkontrolovány 2 objednávky: žádné problémy.\n"


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (1, "Uzavřena by byla 1 objednávka (zkouška nanečisto, nic se nezměnilo)."),
        (3, "Uzavřeny by byly 3 objednávky (zkouška nanečisto, nic se nezměnilo)."),
        (5, "Uzavřeno by bylo 5 objednávek (zkouška nanečisto, nic se nezměnilo)."),
    ],
)
def test_counts_take_the_czech_plural_forms(run, czech, actor, count, said):
    for _ in range(count):
        order = order_with_items(items=1)
        services.order_mark_paid(order_id=order.pk, actor=actor)
        services.order_mark_sent(order_id=order.pk, actor=actor)
        services.order_mark_delivered(order_id=order.pk, actor=actor)

    result = run("close_delivered_orders", "--after-days", "0", "--dry-run", verbosity=0)

    assert result.stdout.splitlines()[-1] == said


def test_a_command_s_error_in_czech(run_failing, czech):
    result = run_failing("seed_demo_data", "--orders", "0")

    assert str(result.error) == "--orders musí být alespoň 1."


def test_the_same_command_in_english_by_default(run, run_failing):
    order_with_items(items=1)

    assert run("check_orders", verbosity=0).stdout == "Checked 1 order: no problems.\n"
    assert str(run_failing("seed_demo_data", "--orders", "0").error) == (
        "--orders must be at least 1."
    )


def test_the_demo_summary_in_czech(run, czech, monkeypatch):
    monkeypatch.setattr("orders.management.commands.setup_demo.seed", lambda n: None)

    out = run("setup_demo").stdout

    assert "Demo je připravené:" in out
    assert "  Administrace  http://" in out
    assert "  Přihlášení    demo / demo-orders" in out
    assert "  API klíč      " in out


def test_an_override_in_code_is_honoured_too(run):
    with translation.override("cs"):
        result = run("purge_events", "--older-than-days", "1", "--dry-run")

    assert result.stdout == "Smazáno by bylo 0 událostí.\n"
