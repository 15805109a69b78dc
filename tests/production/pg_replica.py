"""A throwaway PostgreSQL primary with a streaming replica, for the replica router's test
and for trying DATABASE_REPLICA_URL locally (docs/operations.md).

    python -m tests.production.pg_replica start /tmp/pgpair 5441   # primary 5441, replica 5442
    python -m tests.production.pg_replica stop /tmp/pgpair

The primary is a new cluster (initdb, trust auth on 127.0.0.1, replication allowed), so
the machine's own cluster and its pg_hba.conf are left alone; the replica is made from it
with `pg_basebackup -R` and follows it by streaming replication (a hot standby, read
only). Run as root, the servers run as the `postgres` user. Needs PostgreSQL's server
binaries (found with pg_config or under /usr/lib/postgresql).
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path


def bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        path = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout
        if (Path(path.strip()) / "initdb").exists():
            return Path(path.strip())
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise SystemExit("PostgreSQL's server binaries (initdb, pg_ctl) are not installed.")
    return Path(candidates[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    """Root may not run PostgreSQL: run it as postgres then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _start(bin_dir: Path, data: Path, port: int, log: Path) -> None:
    options = f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1"
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])


def start(root: Path, port: int) -> tuple[int, int]:
    """Start a primary on `port` and its replica on `port + 1`, under `root`."""
    bin_dir = bindir()
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    primary, replica = root / "primary", root / "replica"
    _run(
        [str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
    )
    with (primary / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
    _start(bin_dir, primary, port, root / "primary.log")
    _run(
        [
            str(bin_dir / "pg_basebackup"),
            "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream",
        ]
    )  # fmt: skip
    _start(bin_dir, replica, port + 1, root / "replica.log")
    return port, port + 1


def stop(root: Path) -> None:
    bin_dir = bindir()
    for name in ("replica", "primary"):
        data = root / name
        if (data / "postmaster.pid").exists():
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    shutil.rmtree(root, ignore_errors=True)


def wait_until(check, *, timeout: float = 30, every: float = 0.1):
    """Call check() until it returns something true; that value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout} s")
        time.sleep(every)


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        ports = start(folder, int(sys.argv[3]) if len(sys.argv) > 3 else 5441)
        print(f"primary 127.0.0.1:{ports[0]}, replica 127.0.0.1:{ports[1]}")
    else:
        stop(folder)
