"""Time one API request in-process: Django's WSGI handler called directly, no gunicorn, no
sockets, one request at a time. What bench.run's rates are made of, without the load.

    .venv/bin/python -m bench.inprocess --orders 1000000 /System/Orders/500000
    .venv/bin/python -m bench.inprocess --orders 1000000 --app django-floor /System/Orders/500000
    .venv/bin/python -m bench.inprocess --orders 10000 --profile cumulative \
        "/System/Orders?per_page=100"

Prints the answer's status and size, then the median and the fastest of --requests
timings (after --warmup unmeasured ones), or with --profile a cProfile table of them, or
with --statements the SQL the request sends, each statement timed alone, or with
--stages our app's CPU in each stage of the request (the API key, the filters, the total,
the page's ids, the answer's reads, serializing, rendering) and in the rest.
`--app django-floor` calls bench/django_floor.py (the floor's SQL through Django and
DRF) instead of our app, `--app floor` the floor itself (bench/floor.py). Uses the grown
database of --orders (bench.grow), with the settings bench.run gives its servers (DEBUG
off, rate limits off), and a read-only API key made for the run and deleted after it.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from statistics import median

from bench.common import database_url
from bench.run import PUBLIC_BASE_URL

# The floor has no Django; the API key is made with the project's settings.
SETTINGS = {
    "ours": "config.settings",
    "django-floor": "bench.django_floor_settings",
    "floor": "config.settings",
}


def environ(path: str, key: str) -> dict:
    """A GET as gunicorn hands it to the app, behind the TLS proxy bench.run pretends."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_TOKEN": key,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def print_statements(one, runs: int) -> None:
    """Each statement one request sends, run again alone `runs` times through the same
    connection: its median round trip (parse, plan, run, fetch), PostgreSQL's own planning
    and execution times (EXPLAIN ANALYZE), and its start. Run again as Django logged it,
    its parameters written into the SQL: never prepared, so planned every time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        one()
    print("round trip    plan     run  statement")
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            timings = []
            for _ in range(runs):
                began = time.perf_counter()
                cursor.execute(sql)
                while True:  # a batch answers one result set per statement
                    if cursor.description is not None:
                        cursor.fetchall()
                    if not cursor.nextset():
                        break
                timings.append((time.perf_counter() - began) * 1000)
            cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY) {sql}")
            summary = dict(
                line.split(": ", 1) for (line,) in cursor.fetchall() if line.endswith(" ms")
            )
            # EXPLAIN reads the first statement of a batch only: "" for the others.
            plan = summary.get("Planning Time", "").removesuffix(" ms")
            run = summary.get("Execution Time", "").removesuffix(" ms")
            statements = sql.count("; SELECT ") + 1
            start = " ".join(sql.split())[:80] + (
                f" (+{statements - 1} more)" if statements > 1 else ""
            )
            print(f"{median(timings):7.3f} ms {plan:>7} {run:>7}  {start}")


# Where a request of ours spends its CPU (--stages): each stage is a function of the app,
# timed wherever the request calls it; what is left is the request cycle (the WSGI
# handler, the middleware, DRF's view, the paginator's own work).
STAGES = (
    ("the API key", "orders.api.authentication:ApiKeyAuthentication.authenticate"),
    ("strict query check, paging form", "orders.api.viewsets:ApiViewSet.check_query_params"),
    (
        "filters (django-filter: form, queryset)",
        "orders.api.filters:KeptFilterBackend.filter_queryset",
    ),
    ("the total: order counters", "orders.api.pagination:OrderPagination.kept_total"),
    ("the total: COUNT (ORM)", "django.db.models.query:QuerySet.count"),
    ("the page's ids (ORM)", "orders.selectors:page_ids"),
    ("the answer's reads (compiled)", "orders.selectors:orders_by_ids"),
    ("serializing", "orders.api.serializers:OrderSerializer.to_representation"),
    ("rendering (orjson)", "orders.api.renderers:JSONRenderer.render"),
)


def timed_stages(spent: dict[str, list[float]]):
    """Wrap each stage's function so that its CPU time adds up in spent[name][-1]; returns
    a function that puts the originals back."""
    import importlib

    undo = []
    for name, where in STAGES:
        module_name, _, attribute = where.partition(":")
        owner = importlib.import_module(module_name)
        *path, function_name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        own = function_name in vars(owner)  # else inherited: delete the wrapper after
        original = getattr(owner, function_name)

        def timed(*args, _original=original, _name=name, **kwargs):
            began = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name][-1] += time.process_time() - began

        setattr(owner, function_name, timed)
        undo.append((owner, function_name, original if own else None))

    def restore():
        for owner, function_name, original in undo:
            if original is None:
                delattr(owner, function_name)
            else:
                setattr(owner, function_name, original)

    return restore


def print_stages(one, runs: int) -> None:
    """The median CPU of each stage over `runs` requests, and of the whole request."""
    spent = {name: [] for name, _ in STAGES}
    whole = []
    restore = timed_stages(spent)
    try:
        for _ in range(runs):
            for times in spent.values():
                times.append(0.0)
            began = time.process_time()
            one()
            whole.append(time.process_time() - began)
    finally:
        restore()
    rest = [w - sum(times[i] for times in spent.values()) for i, w in enumerate(whole)]
    print(f"CPU, median of {runs} requests (ms)")
    for name, times in spent.items():
        if any(times):
            print(f"{median(times) * 1000:8.3f}  {name}")
    print(f"{median(rest) * 1000:8.3f}  the rest: WSGI, middleware, DRF's view, paginator")
    print(f"{median(whole) * 1000:8.3f}  the whole request")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="What to GET, e.g. /System/Orders/500000")
    parser.add_argument("--orders", type=int, required=True, help="Which grown database.")
    parser.add_argument("--app", choices=sorted(SETTINGS), default="ours")
    parser.add_argument("--requests", type=int, default=300, help="Timed requests.")
    parser.add_argument("--warmup", type=int, default=30, help="Unmeasured requests first.")
    parser.add_argument("--profile", metavar="SORT", help="cProfile them, sorted by SORT.")
    parser.add_argument(
        "--statements",
        action="store_true",
        help="List the request's SQL statements, each timed alone (median of --requests).",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="Our app's CPU per stage of the request (median of --requests).",
    )
    args = parser.parse_args(argv)

    os.environ.update(
        {
            "DATABASE_URL": database_url(args.orders),
            "DJANGO_SETTINGS_MODULE": SETTINGS[args.app],
            "DEBUG": "false",
            "SECRET_KEY": "bench.inprocess " * 4,
            "ALLOWED_HOSTS": "127.0.0.1",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "API_RATE_LIMITS": "off",
            "LOG_LEVEL": "WARNING",
        }
    )
    from config.wsgi import application
    from orders.api_keys import create_api_key

    if args.app == "floor":
        from bench.floor import from_environment

        application = from_environment()

    api_key, plain = create_api_key(name="bench.inprocess", read_only=True)
    request = environ(args.path, plain)

    def one() -> tuple[str, bytes]:
        started = []
        body = b"".join(application(dict(request), lambda status, headers: started.append(status)))
        return started[0], body

    try:
        status, body = one()
        print(f"{args.app}: GET {args.path} -> {status}, {len(body):,} bytes")
        for _ in range(args.warmup):
            one()
        if args.statements:
            print_statements(one, args.requests)
            return 0
        if args.stages:
            if args.app != "ours":
                parser.error("--stages times our app's functions: leave out --app.")
            print_stages(one, args.requests)
            return 0
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                one()
            profile.disable()
            pstats.Stats(profile).sort_stats(args.profile).print_stats(40)
            return 0
        timings, cpu = [], []
        for _ in range(args.requests):
            began, began_cpu = time.perf_counter(), time.process_time()
            one()
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        # The process's CPU leaves out the waits for PostgreSQL: steadier on a busy machine.
        print(
            f"{args.requests} requests: median {median(timings):.2f} ms, "
            f"fastest {min(timings):.2f} ms; this process's CPU median {median(cpu):.2f} ms"
        )
    finally:
        api_key.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
