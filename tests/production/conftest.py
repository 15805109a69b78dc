import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict:
    """The environment of a production process: DEBUG off, a real secret, listed hosts, and
    its own SQLite file (the health check needs a database that answers, not our data)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SECURE_", "PYTEST"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="orders.example.com,127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(PROJECT),
        # PYTEST_VERSION is dropped above, so say it outright: no developer's .env.
        ENV_FILE="",
    )
    env.update(extra)
    return env


def manage(env: dict, *args, timeout: int = 300) -> subprocess.CompletedProcess:
    # collectstatic compresses every file: ~50 s of CPU alone, minutes on a busy machine.
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def find_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
