"""A fresh `make run` serves where PORT says, with the settings of `.env`, and says so."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .test_env import PROJECT, clean_env

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_make_run_honours_port_and_the_env_file(tmp_path):
    # given: a .env with its own database, currency and port, and PORT in the environment
    env_port, port = free_port(), free_port()
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"DATABASE_URL=sqlite:///{tmp_path / 'demo.sqlite3'}\nMAIN_CURRENCY=CZK\nPORT={env_port}\n"
    )
    # The Makefile as it is, with this test's virtualenv stand-in: installed already.
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()
    log = tmp_path / "make-run.log"
    make_run = ["make", "--no-print-directory", "run", f"VENV={venv}"]
    make_run.append(f"BIN={Path(sys.executable).parent}")

    # when: make run
    with log.open("w") as out:
        process = subprocess.Popen(
            make_run,
            cwd=PROJECT,
            env=clean_env(ENV_FILE=str(dotenv), PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # runserver and its reloader child go with the group
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                try:
                    status, _ = get(f"http://127.0.0.1:{port}/health")
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("make run did not serve in time:\n" + log.read_text())
            output = log.read_text()
            key = next(line for line in output.splitlines() if "API key" in line).split()[-1]
            listed, body = get(f"http://127.0.0.1:{port}/System/Orders?per_page=10", {"token": key})
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    # then: it serves on PORT (the environment wins over .env) and says so
    assert status == 200
    assert f"Back office  http://127.0.0.1:{port}/admin/" in output
    assert f"API console  http://127.0.0.1:{port}/System/docs" in output
    assert f"127.0.0.1:{env_port}" not in output
    # .env's database and currency: the demo orders were made there, in CZK books.
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0
    assert listed == 200, body
    orders = json.loads(body)["orders"]
    assert orders
    assert {order["main_currency_code"] for order in orders} == {"CZK"}
