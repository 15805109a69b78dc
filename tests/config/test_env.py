"""The environment: `.env` is read, the real environment wins, tests read no developer's .env."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

PROJECT = Path(__file__).resolve().parents[2]
# Variables a developer's shell (or the PostgreSQL test run) may set that these tests set
# themselves; inherited, they would win over the test's .env.
OWN = {
    "ENV_FILE",
    "DATABASE_URL",
    "MAIN_CURRENCY",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HOST",
    "PORT",
    "DJANGO_SETTINGS_MODULE",
}


def clean_env(**extra) -> dict:
    environment = {key: value for key, value in os.environ.items() if key not in OWN}
    return {**environment, **extra}


def settings_of(environment: dict, cwd=PROJECT) -> dict:
    """Some settings as a fresh process reads them (the way `make run` starts)."""
    code = (
        "import json, config.settings as s; print(json.dumps({'MAIN_CURRENCY': s.MAIN_CURRENCY,"
        " 'DEBUG': s.DEBUG, 'DB': s.DATABASES['default']['NAME'],"
        " 'ENGINE': s.DATABASES['default']['ENGINE'], 'HOSTS': s.ALLOWED_HOSTS,"
        " 'RATES': s.CURRENCY_RATES, 'THROTTLE': s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_read_the_env_file(tmp_path):
    dotenv = tmp_path / "my.env"
    dotenv.write_text(
        "# a comment\n"
        "MAIN_CURRENCY=CZK\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'shop.sqlite3'}\n"
        "DEBUG=false\n"
        "SECRET_KEY=from-the-file\n"
        "ALLOWED_HOSTS=shop.example, admin.shop.example\n"
        "CURRENCY_RATES=EUR=25.10,USD=23.40\n"
        "API_RATE_LIMITS=read=10/s\n"
    )

    values = settings_of(clean_env(ENV_FILE=str(dotenv)))

    assert values["MAIN_CURRENCY"] == "CZK"
    assert values["DEBUG"] is False
    assert values["DB"] == str(tmp_path / "shop.sqlite3")
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["HOSTS"] == ["shop.example", "admin.shop.example"]
    assert values["RATES"] == {"EUR": "25.10", "USD": "23.40"}
    assert values["THROTTLE"]["read"] == "10/s"


def test_the_real_environment_wins_over_the_file(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("MAIN_CURRENCY=CZK\nDATABASE_URL=postgres://u@db.example:5432/shop\n")

    values = settings_of(
        clean_env(ENV_FILE=str(dotenv), MAIN_CURRENCY="usd", DATABASE_URL="sqlite:///x.sqlite3")
    )

    assert values["MAIN_CURRENCY"] == "USD"
    assert (values["ENGINE"], values["DB"]) == ("django.db.backends.sqlite3", "x.sqlite3")


def copy_of_the_config_package(tmp_path) -> Path:
    """A project folder with config/env.py, to test the default `.env` beside it without
    touching the developer's own."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "__init__.py").touch()
    shutil.copy(PROJECT / "config" / "env.py", tmp_path / "config" / "env.py")
    (tmp_path / ".env").write_text("MAIN_CURRENCY=CZK\nPORT=8123\n")
    return tmp_path


def read_in(folder: Path, environment: dict) -> str:
    code = "import os, config.env as e; e.read_env_file(); print(os.environ.get('MAIN_CURRENCY'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env={**environment, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_project_env_file_is_read_outside_the_tests(tmp_path):
    folder = copy_of_the_config_package(tmp_path)
    outside_pytest = {k: v for k, v in clean_env().items() if k != "PYTEST_VERSION"}

    assert read_in(folder, outside_pytest) == "CZK"
    # ENV_FILE= (empty) reads no file.
    assert read_in(folder, {**outside_pytest, "ENV_FILE": ""}) == "None"


def test_tests_never_read_the_developers_env_file(tmp_path):
    folder = copy_of_the_config_package(tmp_path)
    assert os.environ.get("PYTEST_VERSION")  # set by pytest, inherited by what tests start

    assert read_in(folder, clean_env()) == "None"


def test_a_named_env_file_that_is_missing_stops_the_app(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=PROJECT,
        env=clean_env(ENV_FILE=str(tmp_path / "nope.env")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: ENV_FILE={tmp_path / 'nope.env'}: no such file." in (
        result.stderr
    )


def address(environment: dict, cwd=PROJECT) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "config.env"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_runs_address_comes_from_port_then_env_file_then_the_default(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=8123\n")

    assert address(clean_env(ENV_FILE="")) == "127.0.0.1:8000"
    assert address(clean_env(ENV_FILE=str(dotenv))) == "127.0.0.1:8123"
    assert address(clean_env(ENV_FILE=str(dotenv), PORT="8001")) == "127.0.0.1:8001"
    assert address(clean_env(ENV_FILE="", HOST="0.0.0.0", PORT="9000")) == "0.0.0.0:9000"
    assert address(clean_env(ENV_FILE="", HOST="::1")) == "[::1]:8000"


@pytest.mark.parametrize("port", ["http", "0", "70000", "-1"])
def test_a_port_that_is_not_one_is_refused(monkeypatch, port):
    monkeypatch.setenv("PORT", port)
    with pytest.raises(ImproperlyConfigured, match="is not a port number"):
        env.server_address()


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [("true", False, True), ("off", True, False), ("0", True, False), ("", True, True)],
)
def test_yes_no_variables(monkeypatch, value, default, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env.env_bool("SOME_FLAG", default) is expected
