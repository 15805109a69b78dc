"""setup_demo says where the demo is served and can make a new demo key."""

import pytest
from django.core.management import call_command

from orders.api_keys import find_api_key
from orders.models import ApiKey

pytestmark = pytest.mark.django_db


def demo(capsys, *args) -> str:
    call_command("setup_demo", "--orders", "2", *args)
    return capsys.readouterr().out


def printed_key(output: str) -> str:
    return next(line for line in output.splitlines() if "API key" in line).split()[-1]


@pytest.mark.parametrize(
    ("host", "port", "base"),
    [
        (None, None, "http://127.0.0.1:8000"),
        (None, "8001", "http://127.0.0.1:8001"),
        ("0.0.0.0", "9000", "http://127.0.0.1:9000"),  # all interfaces: open it here
        ("localhost", "8002", "http://localhost:8002"),
        ("::1", "8003", "http://[::1]:8003"),
    ],
)
def test_the_printed_addresses_are_where_make_run_listens(capsys, monkeypatch, host, port, base):
    for name, value in (("HOST", host), ("PORT", port)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    output = demo(capsys)

    assert f"Back office  {base}/admin/" in output
    assert f"API console  {base}/System/docs" in output


def test_new_key_makes_a_working_key_and_switches_the_shown_one_off(capsys):
    first = printed_key(demo(capsys))
    again = demo(capsys)
    assert 'make manage ARGS="setup_demo --new-key"' in again

    second = printed_key(demo(capsys, "--new-key"))

    assert second != first
    assert find_api_key(second) is not None
    assert find_api_key(first) is None  # its plain text was shown: it no longer opens the API
    assert ApiKey.objects.filter(name="Demo key", active=True).count() == 1
