"""Write throughput: creates of an order with 3 items, then status PATCHes, by N clients
at once against our app under gunicorn; prints requests per second and p50/p99 for each.

    .venv/bin/python -m bench.writes --orders 100000 --clients 8

Writes change a database, so each run works on a fresh copy of the grown one
(`orders_bench_<N>`, or BENCH_DATABASE_URL as for bench.run): `<name>_writes`, made with
CREATE DATABASE ... TEMPLATE (nothing else may be connected to the grown database for those
seconds), migrated, and dropped at the end (--keep keeps it). Every run starts from the
same rows, and bench.run's database stays as grown.

Each create makes a new order (with a new customer) in the first channel; each status
PATCH gives one of the open orders another open-order status (one that neither completes
nor cancels), every request a different order, so the clients never wait for each other's
row lock and every PATCH changes something. The server runs as in bench.run (2 workers,
DEBUG=false, rate limits off). Results go to bench/results/writes-<orders>.json.
"""

import argparse
import datetime as dt
import itertools
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.common import RESULTS, database_name, database_url, setup_django
from bench.run import HEADERS, Sample, Server, fetch, server_environment, summarize

KEY_NAME = "bench.writes"
ITEMS = [
    {"name": "Espresso beans 1 kg", "count": 2, "price": {"final_price": 24.9, "vat": 21}},
    {"name": "Milk jug", "count": 1, "price": {"final_price": 12.1, "vat": 21}},
    {"name": "Coffee book", "count": 1, "price": {"final_price": 31.5, "vat": 10}},
]


def _server(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def fresh_copy(source: str) -> str:
    """A new copy of the database at `source`, named <name>_writes; its URL."""
    name = f"{database_name(source)}_writes"
    with psycopg.connect(_server(source), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(database_name(source))
                )
            )
        except psycopg.errors.ObjectInUse:
            raise SystemExit(
                f"{database_name(source)} is in use (bench.run?): it can be copied only "
                "while nothing else is connected to it."
            ) from None
    return urlunsplit(urlsplit(source)._replace(path=f"/{name}"))


def drop(url: str) -> None:
    with psycopg.connect(_server(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database_name(url)))
        )


def raw(method: str, path: str, key: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    headers = {
        **HEADERS,
        "token": key,
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(payload)),
    }
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def creates(key: str, channel_id: int):
    """POST /System/Orders bodies: a new customer each, 3 items."""
    run = secrets.token_hex(4)
    for n in itertools.count():
        body = {
            "channel": channel_id,
            "email": f"writer-{run}-{n}@bench.example",
            "name": f"Writer {n}",
            "street": "Bench street 1",
            "city": "Prague",
            "zip": "11000",
            "state_code": "CZ",
            "items": ITEMS,
        }
        yield raw("POST", "/System/Orders", key, body)


def status_patches(key: str, current: dict[int, int], statuses: list[int]):
    """PATCH /System/Orders/{id}/status bodies: each order in turn gets a status other than
    the one it has (`current` is kept up to date)."""
    for order_id in itertools.cycle(list(current)):
        new = next(s for s in statuses if s != current[order_id])
        current[order_id] = new
        yield raw("PATCH", f"/System/Orders/{order_id}/status", key, {"status_id": new})


def load(port: int, requests, *, clients: int, seconds: float) -> Sample:
    """`clients` threads send the next request of `requests` until `seconds` have passed."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine, seen = [], {}
        try:
            while time.monotonic() < deadline:
                with lock:
                    request = next(requests)
                started = time.perf_counter()
                status = fetch(port, request)
                mine.append(time.perf_counter() - started)
                seen[status] = seen.get(status, 0) + 1
        finally:
            with lock:
                latencies.extend(mine)
                for status, n in seen.items():
                    statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Sample(latencies, time.monotonic() - started, statuses)


def table(results: dict) -> str:
    lines = [
        "| write | requests | per second | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, row in results.items():
        lines.append(
            f"| {label} | {row['requests']:,} | {row['rps']:,} | {row['p50_ms']:,} "
            f"| {row['p99_ms']:,} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, required=True, help="Which (copied) database.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent client threads.")
    parser.add_argument("--seconds", type=float, default=15, help="Load per kind of write.")
    parser.add_argument("--warmup", type=float, default=2, help="Seconds of unmeasured load.")
    parser.add_argument("--port", type=int, default=8340, help="Our app's port.")
    parser.add_argument("--out", type=Path, help="Default bench/results/writes-<orders>.json.")
    parser.add_argument("--keep", action="store_true", help="Keep the copy at the end.")
    args = parser.parse_args(argv)

    source = database_url(args.orders)
    started = time.monotonic()
    url = fresh_copy(source)
    print(
        f"Copied {database_name(source)} to {database_name(url)} in "
        f"{time.monotonic() - started:.1f} s",
        flush=True,
    )
    try:
        return run(url, source, args, argv)
    finally:
        if not args.keep:
            drop(url)


def run(url: str, source: str, args, argv) -> int:
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from orders.api_keys import create_api_key
    from orders.models import Channel, ClosingState, Order
    from statuses.models import OrderStatus

    call_command("migrate", verbosity=0)  # the code under test may add indexes

    statuses = list(
        OrderStatus.objects.filter(complete_order=False, cancel_order=False)
        .order_by("id")
        .values_list("id", flat=True)[:2]
    )
    if len(statuses) < 2:
        raise SystemExit("The database needs two open-order statuses: run bench.grow first.")
    # Enough open orders that no two requests of a run touch the same one.
    current = dict(
        Order.objects.filter(closing_state=ClosingState.OPEN)
        .order_by("-id")
        .values_list("id", "status_id")[:50000]
    )
    if not current:
        raise SystemExit(f"{database_name(url)} has no open orders: run bench.grow first.")
    total = Order.objects.count()
    channel_id = Channel.objects.order_by("id").values_list("id", flat=True).first()
    _, key = create_api_key(name=KEY_NAME, read_only=False)
    connection.close()

    RESULTS.mkdir(parents=True, exist_ok=True)
    server = Server(
        "ours",
        "config.wsgi",
        args.port,
        server_environment(url),
        RESULTS / f"writes-{args.orders}.log",
    )
    kinds = {
        "POST /System/Orders (3 items)": creates(key, channel_id),
        "PATCH /System/Orders/{id}/status": status_patches(key, current, statuses),
    }
    results = {}
    try:
        server.wait_ready("/health")
        load_before = os.getloadavg()
        for label, requests in kinds.items():
            load(args.port, requests, clients=args.clients, seconds=args.warmup)
            measured = summarize(
                [load(args.port, requests, clients=args.clients, seconds=args.seconds)]
            )
            if measured.errors:
                raise SystemExit(f"{label}: statuses {measured.statuses}; see {server.log}")
            results[label] = asdict(measured)
            print(f"  {label}: {measured.rps} per second", flush=True)
        load_after = os.getloadavg()
    finally:
        server.stop()
        connection.close()

    report = {
        "database": database_name(url),
        "copy_of": database_name(source),
        "orders": total,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.writes " + " ".join(argv or sys.argv[1:]),
        "clients": args.clients,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "load_average_1m": [round(load_before[0], 2), round(load_after[0], 2)],
        "writes": results,
    }
    out = args.out or RESULTS / f"writes-{args.orders}.json"
    out.write_text(json.dumps(report, indent=2))
    print(
        f"\n{total:,} orders (a copy of {database_name(source)}), {args.clients} clients, "
        f"{report['date']}, load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(table(results))
    print(f"\nWritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
