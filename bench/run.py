"""Serve our API and the floor app side by side on a grown database, check they answer the
same JSON, then load each benchmarked request and print requests per second, p50/p99 and
ratio = ours / floor (requests per second, same run).

    .venv/bin/python -m bench.run --orders 1000000 [--compare-to bench/results/10000.json]

Both apps run under gunicorn with config/gunicorn.py and 2 workers (WEB_CONCURRENCY=2),
DEBUG=false, the same PUBLIC_BASE_URL, worker recycling off (GUNICORN_MAX_REQUESTS=0: a
restart in the middle of a measurement would time Django's start-up, not a request).
Traffic goes to 127.0.0.1 only. Each request is loaded by --clients threads (default 2,
one per worker: both workers busy, p50 close to the time a request takes rather than the
time it queues), after a short warm-up, for --seconds per app (longer only until
--min-requests were sent, never past --max-seconds or --requests), in --rounds turns that
alternate ours and the floor so that other work on the machine weighs on both alike.
Results are written to bench/results/<orders>.json; --compare-to an earlier file adds,
for the filters, how much slower each got between the two sizes.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.common import PROJECT, RESULTS, database_name, database_url, setup_django

PUBLIC_BASE_URL = "https://orders.example"
PER_PAGE = 100
KEY_NAME = "bench.run"
# The app runs with DEBUG=false, so plain http would be redirected to https: the client
# says it came through a TLS proxy, as production traffic does (gunicorn trusts 127.0.0.1).
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*([0-9]+)")


@dataclass
class Request:
    key: str  # stable across sizes, for --compare-to
    label: str
    path: str
    goal: float  # the ratio issue 12 aims at
    is_filter: bool = False


@dataclass
class Sample:
    """What one bout of load saw: each request's latency, the wall time, the statuses."""

    latencies: list[float]
    wall: float
    statuses: dict[int, int]


@dataclass
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    statuses: dict = field(default_factory=dict)


# --- what to ask ------------------------------------------------------------------------


def choose_requests() -> list[Request]:
    """The issue's table, with ids, numbers and dates taken from this database."""
    from django.db import connection
    from django.db.models import Max

    from orders.models import Order, Tracking
    from statuses.models import OrderStatus

    total = Order.objects.count()
    middle = Order.objects.order_by("id").values_list("id", flat=True)[total // 2]
    tracking = (
        Tracking.objects.filter(order_id__gte=middle).order_by("order_id").first().tracking_number
    )
    # A calendar month a year and a half before the newest order: inside the grown spread.
    newest = Order.objects.aggregate(newest=Max("date_order"))["newest"]
    first = (newest - dt.timedelta(days=540)).date().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    status = OrderStatus.objects.filter(name="Paid").first() or OrderStatus.objects.first()
    deep_page = max(1, -(-total // PER_PAGE) // 2)
    connection.close()
    listing = f"/System/Orders?per_page={PER_PAGE}"
    return [
        Request("detail", "GET /System/Orders/{id}", f"/System/Orders/{middle}", 0.6),
        Request("list_first", f"list per_page={PER_PAGE}, page 1", f"{listing}&page=1", 0.5),
        Request(
            "list_deep",
            f"list per_page={PER_PAGE}, page {deep_page}",
            f"{listing}&page={deep_page}",
            0.5,
        ),
        Request(
            "tracking", "filter by tracking number", f"{listing}&tracking={tracking}", 0.5, True
        ),
        Request(
            "month",
            f"filter by a one-month date range ({first:%Y-%m})",
            f"{listing}&from={first}&to={last}",
            0.5,
            True,
        ),
        Request(
            "status_open",
            f"status_id={status.pk} ({status.name}) & done=false",
            f"{listing}&status_id={status.pk}&done=false",
            0.0,  # its goal is the slowdown from 10k to 1M (<= 1.3x), not a ratio
            True,
        ),
    ]


# --- the two servers ----------------------------------------------------------------------


class Server:
    """A gunicorn we started: its arbiter's pid, stopped by that pid only."""

    def __init__(self, name: str, app: str, port: int, env: dict, log: Path):
        self.name, self.port, self.log = name, port, log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", app],
            cwd=PROJECT,
            env={**env, "PORT": str(port)},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", path, headers=HEADERS)
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} in {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_environment(url: str, workers: int = 2) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "DJANGO_")) and key not in ("WEB_CONCURRENCY",)
    }
    env.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "API_RATE_LIMITS": "off",
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "1",
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_TIMEOUT": "120",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


# --- HTTP ------------------------------------------------------------------------------


def get(port: int, path: str, key: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers={**HEADERS, "token": key})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def first_difference(ours, floor, where: str = "$") -> str | None:
    """Where two parsed JSON values first differ, e.g. "$.orders[3].items[0].price.vat"."""
    if isinstance(ours, dict) and isinstance(floor, dict):
        for name in list(ours) + [n for n in floor if n not in ours]:
            if name not in ours or name not in floor:
                return f"{where}.{name}: only in {'ours' if name in ours else 'the floor'}"
            found = first_difference(ours[name], floor[name], f"{where}.{name}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(floor, list):
        if len(ours) != len(floor):
            return f"{where}: {len(ours)} items in ours, {len(floor)} in the floor"
        for index, (a, b) in enumerate(zip(ours, floor, strict=True)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    if ours != floor or isinstance(ours, bool) != isinstance(floor, bool):
        return f"{where}: ours {ours!r}, the floor {floor!r}"
    return None


def check_same_answers(paths: list[str], ours: int, floor: int, key: str, name="ours") -> None:
    for path in paths:
        (our_status, our_body), (floor_status, floor_body) = (
            get(ours, path, key),
            get(floor, path, key),
        )
        if our_status != 200 or floor_status != 200:
            raise SystemExit(
                f"{path}: {name} {our_status}, the floor {floor_status}\n{our_body[:500]}"
            )
        difference = first_difference(json.loads(our_body), json.loads(floor_body))
        if difference:
            raise SystemExit(f"The answers of {name} differ for {path}:\n  {difference}")
        print(f"  same JSON ({name}): {path} ({len(our_body):,} bytes)", flush=True)


def raw_request(path: str, key: str) -> bytes:
    headers = {**HEADERS, "token": key, "Connection": "close"}
    lines = [f"GET {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def fetch(port: int, request: bytes) -> int:
    """One request on its own connection (gunicorn's sync workers close it after each
    answer anyway); the status once the whole answer is read, 0 if it came short. Plain
    sockets: http.client's header parsing would cost the client more CPU than the floor
    spends on a request, on the same two cores."""
    with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
        sock.sendall(request)
        received = bytearray()
        while chunk := sock.recv(1 << 18):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    length = CONTENT_LENGTH.search(head)
    if length is None or int(length.group(1)) != len(body):
        return 0
    return int(head[9:12])


@dataclass(frozen=True)
class Bounds:
    """When a bout of load stops: after `seconds` once `minimum` requests were sent, and in
    any case at `limit` requests or `hard_seconds` (a slow request still gets a few)."""

    seconds: float
    minimum: int
    limit: int
    hard_seconds: float

    def share(self, rounds: int) -> "Bounds":
        return Bounds(
            self.seconds / rounds,
            -(-self.minimum // rounds),
            max(1, self.limit // rounds),
            self.hard_seconds / rounds,
        )


def load(port: int, path: str, key: str, *, clients: int, bounds: Bounds) -> Sample:
    """`clients` threads send GET `path`, each request on a new connection, within `bounds`."""
    request = raw_request(path, key)
    begun = time.monotonic()
    sent = [0]
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def may_send() -> bool:
        with lock:
            elapsed = time.monotonic() - begun
            if sent[0] >= bounds.limit or elapsed >= bounds.hard_seconds:
                return False
            if elapsed >= bounds.seconds and sent[0] >= bounds.minimum:
                return False
            sent[0] += 1
            return True

    def client() -> None:
        mine, seen = [], {}
        try:
            while may_send():
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


def summarize(samples: list[Sample]) -> Load:
    latencies = sorted(t for sample in samples for t in sample.latencies)
    wall = sum(sample.wall for sample in samples)
    statuses: dict[int, int] = {}
    for sample in samples:
        for status, n in sample.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Load(
        requests=len(latencies),
        seconds=round(wall, 2),
        rps=round(len(latencies) / wall, 1),
        p50_ms=round(percentile(latencies, 50) * 1000, 1),
        p99_ms=round(percentile(latencies, 99) * 1000, 1),
        errors=sum(n for status, n in statuses.items() if status != 200),
        statuses={str(status): n for status, n in statuses.items()},
    )


def measure(request: "Request", ports: dict[str, int], key: str, args) -> dict[str, Load]:
    """Warm both apps up, then load them in turns (ours, floor, ours, ...), so that other
    work on the machine weighs on both alike; each gets --seconds and --requests in all."""
    rounds = max(1, args.rounds)
    samples: dict[str, list[Sample]] = {name: [] for name in ports}
    warmup = Bounds(args.warmup, 1, 100, args.warmup + 60)
    bounds = Bounds(args.seconds, args.min_requests, args.requests, args.max_seconds)
    for port in ports.values():
        load(port, request.path, key, clients=args.clients, bounds=warmup)
    for _ in range(rounds):
        for name, port in ports.items():
            samples[name].append(
                load(port, request.path, key, clients=args.clients, bounds=bounds.share(rounds))
            )
    return {name: summarize(taken) for name, taken in samples.items()}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


# --- report ---------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    if results and "django" in results[0]:
        return split_table(results)
    lines = [
        "| request | ours rps | p50 ms | p99 ms | floor rps | p50 ms | p99 ms | ratio | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        ours, floor = row["ours"], row["floor"]
        goal = f">= {row['goal']}" if row["goal"] else "see below"
        lines.append(
            f"| {row['label']} | {ours['rps']:,} | {ours['p50_ms']:,} | {ours['p99_ms']:,} "
            f"| {floor['rps']:,} | {floor['p50_ms']:,} | {floor['p99_ms']:,} "
            f"| {row['ratio']:.2f} | {goal} |"
        )
    return "\n".join(lines)


def split_table(results: list[dict]) -> str:
    """With --django-floor: where the gap between ours and the floor lies."""
    lines = [
        "| request | floor rps | Django floor rps | ours rps | Django floor / floor "
        "| ours / Django floor | ratio (ours / floor) | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        ours, floor, django = row["ours"], row["floor"], row["django"]
        goal = f">= {row['goal']}" if row["goal"] else "see below"
        lines.append(
            f"| {row['label']} | {floor['rps']:,} | {django['rps']:,} | {ours['rps']:,} "
            f"| {django['rps'] / floor['rps']:.2f} | {ours['rps'] / django['rps']:.2f} "
            f"| {row['ratio']:.2f} | {goal} |"
        )
    return "\n".join(lines)


def slowdown_table(results: list[dict], earlier: dict, orders: int) -> str:
    before = {row["key"]: row for row in earlier["requests"]}
    size = f"{earlier['orders']:,} → {orders:,}"
    lines = [
        f"| filter ({size} orders) | ours p50 ms | slowdown | floor p50 ms | slowdown |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        if not row["is_filter"] or row["key"] not in before:
            continue
        old = before[row["key"]]
        ours = row["ours"]["p50_ms"] / old["ours"]["p50_ms"]
        floor = row["floor"]["p50_ms"] / old["floor"]["p50_ms"]
        lines.append(
            f"| {row['label']} | {old['ours']['p50_ms']:,} → {row['ours']['p50_ms']:,} "
            f"| {ours:.2f}x | {old['floor']['p50_ms']:,} → {row['floor']['p50_ms']:,} "
            f"| {floor:.2f}x |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, required=True, help="Which grown database.")
    parser.add_argument("--seconds", type=float, default=15, help="Longest load per request.")
    parser.add_argument("--requests", type=int, default=3000, help="Most requests per app.")
    parser.add_argument(
        "--min-requests", type=int, default=15, help="Fewest per app (past --seconds)."
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="Longest load per app, in any case."
    )
    parser.add_argument("--clients", type=int, default=2, help="Concurrent client threads.")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn processes of each app (WEB_CONCURRENCY)."
    )
    parser.add_argument("--warmup", type=float, default=2, help="Seconds of unmeasured load.")
    parser.add_argument("--rounds", type=int, default=3, help="Turns of ours, then floor.")
    parser.add_argument("--port", type=int, default=8310, help="Our app's port.")
    parser.add_argument("--floor-port", type=int, default=8311, help="The floor's port.")
    parser.add_argument(
        "--django-floor",
        action="store_true",
        help="Also serve the floor's SQL through Django and DRF (bench/django_floor.py), "
        "to show how much of the gap is the framework's request cycle.",
    )
    parser.add_argument("--django-floor-port", type=int, default=8312)
    parser.add_argument("--only", nargs="*", help="Only these request keys (detail, ...).")
    parser.add_argument("--compare-to", type=Path, help="Results of an earlier run (JSON).")
    parser.add_argument("--check-only", action="store_true", help="Compare answers, no load.")
    parser.add_argument(
        "--out",
        type=Path,
        help="Results file (default bench/results/<orders>.json; "
        "<orders>-only.json with --only, so a partial run keeps the full one).",
    )
    args = parser.parse_args(argv)
    earlier = json.loads(args.compare_to.read_text()) if args.compare_to else None

    url = database_url(args.orders)
    setup_django(url)
    from orders.api_keys import create_api_key
    from orders.models import ApiKey, Order

    total = Order.objects.count()
    if total == 0:
        raise SystemExit(f"{database_name(url)} has no orders: run bench.grow first.")
    ApiKey.objects.filter(name=KEY_NAME).delete()
    _, key = create_api_key(name=KEY_NAME, read_only=True)
    requests = [r for r in choose_requests() if not args.only or r.key in args.only]

    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_environment(url, args.workers)
    ours = Server("ours", "config.wsgi", args.port, env, RESULTS / f"{args.orders}-ours.log")
    floor = Server(
        "floor",
        "bench.floor:application",
        args.floor_port,
        env,
        RESULTS / f"{args.orders}-floor.log",
    )
    servers = {"ours": ours, "floor": floor}
    ports = {"ours": args.port, "floor": args.floor_port}
    if args.django_floor:
        servers["django"] = Server(
            "django",
            "config.wsgi",
            args.django_floor_port,
            {**env, "DJANGO_SETTINGS_MODULE": "bench.django_floor_settings"},
            RESULTS / f"{args.orders}-django.log",
        )
        ports["django"] = args.django_floor_port
    results = []
    try:
        ours.wait_ready("/health")
        floor.wait_ready("/System/Orders")
        if args.django_floor:
            servers["django"].wait_ready("/System/Orders")
        print(f"{total:,} orders in {database_name(url)}; checking the answers", flush=True)
        extra = ["/System/Orders?per_page=250", "/System/Orders/1"]
        paths = [r.path for r in requests] + extra
        check_same_answers(paths, args.port, args.floor_port, key)
        if args.django_floor:
            check_same_answers(paths, args.django_floor_port, args.floor_port, key, "django")
        if args.check_only:
            return 0
        load_before = os.getloadavg()
        if load_before[0] > (os.cpu_count() or 1):
            print(
                f"  warning: load average {load_before[0]:.1f} on {os.cpu_count()} cores; "
                "other work shares the machine, expect noisy numbers",
                flush=True,
            )
        for request in requests:
            measured = measure(request, ports, key, args)
            for name, result in measured.items():
                if result.errors:
                    raise SystemExit(f"{name}: statuses {result.statuses} for {request.path}")
            row = {
                **asdict(request),
                **{name: asdict(result) for name, result in measured.items()},
                "ratio": round(measured["ours"].rps / measured["floor"].rps, 3),
            }
            results.append(row)
            django = f", Django floor {row['django']['rps']} rps" if "django" in row else ""
            print(
                f"  {request.label}: ours {row['ours']['rps']} rps, "
                f"floor {row['floor']['rps']} rps{django}, ratio {row['ratio']:.2f}",
                flush=True,
            )
        load_after = os.getloadavg()
    finally:
        for server in servers.values():
            server.stop()
        ApiKey.objects.filter(name=KEY_NAME).delete()

    report = {
        "orders": total,
        "database": database_name(url),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.run " + " ".join(argv or sys.argv[1:]),
        "clients": args.clients,
        "seconds": args.seconds,
        "min_requests": args.min_requests,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        # Other work on the machine shares its cores: the load average says how much.
        "load_average_1m": [round(load_before[0], 2), round(load_after[0], 2)],
        "requests": results,
    }
    out = args.out or RESULTS / (f"{args.orders}-only.json" if args.only else f"{args.orders}.json")
    out.write_text(json.dumps(report, indent=2))
    print()
    print(
        f"{total:,} orders, {args.clients} clients, {report['date']}, load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(table(results))
    if earlier:
        print()
        print(slowdown_table(results, earlier, total))
    print(f"\nWritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
