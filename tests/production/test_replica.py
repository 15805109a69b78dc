"""The replica router against a real streaming replica (config/replica.py).

A fresh primary and its `pg_basebackup` replica are started for the test by
tests/production/pg_replica.py, on two free ports. Not a replica of the machine's own
cluster: that one has no replication entry in its pg_hba.conf (a test must not edit the
server's configuration) and may hold gigabytes of benchmark databases to copy. The
scenario runs in its own process against the real databases (Django's test databases
would hide the replica) and reports what each client saw.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.production import pg_replica

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def _free_port_pair() -> int:
    for port in range(5441, 5600, 2):
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two free ports for the primary and the replica")


@pytest.fixture(scope="module")
def primary_and_replica():
    if connection.vendor != "postgresql":
        pytest.skip("the production database is PostgreSQL: this runs with the PostgreSQL suite")
    try:
        pg_replica.bindir()
    except SystemExit:
        pytest.skip("PostgreSQL's server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="orders-replica-"))
    primary, replica = pg_replica.start(root, _free_port_pair())
    try:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(primary), "-U", "postgres", "-qc",
             "CREATE DATABASE orders"],
            check=True,
        )  # fmt: skip
        yield primary, replica
    finally:
        pg_replica.stop(root)


def test_api_reads_go_to_the_replica_and_writers_read_their_writes(primary_and_replica):
    primary, replica = primary_and_replica
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/orders",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica}/orders",
        "REPLICA_STICKY_SECONDS": "1",
        "ALLOWED_HOSTS": "testserver",
        "ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.production.replica_scenario"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {
        "replica_in_recovery": True,  # a real standby
        "create": 200,
        # The writer reads the primary for REPLICA_STICKY_SECONDS after its write...
        "writer_reads_its_write": 200,
        # ...while another client's read comes from the (paused) replica.
        "other_client_reads_replica": 404,
        "feed_reads_primary": True,
        # After the window the writer reads the replica too.
        "writer_after_window": 404,
        "reader_after_replay": 200,
        "admin_reads_primary": True,
    }
