"""The environment the app runs in: the process's variables, then a `.env` file.

Which file is read:
- `ENV_FILE=/path/to/file`: that file (it must exist); `ENV_FILE=` (empty): none;
- otherwise `.env` in the project folder, if there is one, except under pytest
  (`PYTEST_VERSION` is set for the whole test session and inherited by the processes the
  tests start), so a developer's `.env` never changes what the tests see.

A variable set in the real environment always wins over the same name in the file
(`PORT=8001 make run` with `PORT=8000` in .env listens on 8001). Values are read with
django-environ: a value starting with `$` names another variable (`\\$` is a literal `$`).

`python -m config.env` prints the HOST:PORT that `make run` serves on.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

ENV = environ.Env()
ENV.escape_proxy = True


def env_file() -> Path | None:
    """The file to read variables from, or None (see the module's docstring)."""
    named = os.environ.get("ENV_FILE")
    if named is not None:
        return Path(named).expanduser() if named.strip() else None
    if os.environ.get("PYTEST_VERSION"):
        return None
    default = BASE_DIR / ".env"
    return default if default.is_file() else None


def read_env_file() -> Path | None:
    """Add the file's variables to os.environ, never replacing one that is set already.
    Returns the file read, or None."""
    path = env_file()
    if path is None:
        return None
    if not path.is_file():
        raise ImproperlyConfigured(f"ENV_FILE={os.environ['ENV_FILE']}: no such file.")
    environ.Env.read_env(path, overwrite=False)
    return path


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable (true/false, yes/no, on/off, 1/0); unset or empty is the default."""
    if not os.environ.get(name, "").strip():
        return default
    return ENV.bool(name)


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, items stripped, empty items dropped."""
    items = ENV.list(name, cast=str.strip, default=default.split(","))
    return [item for item in (i.strip() for i in items) if item]


def server_address() -> tuple[str, int]:
    """Where `make run` serves (and `setup_demo` says it serves): HOST and PORT."""
    host = ENV.str("HOST", default="") or DEFAULT_HOST
    port = ENV.str("PORT", default="") or str(DEFAULT_PORT)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"PORT={port!r} is not a port number (1-65535).")
    return host, int(port)


def address_text(host: str, port: int) -> str:
    """HOST:PORT as runserver takes it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


if __name__ == "__main__":
    read_env_file()
    print(address_text(*server_address()))
