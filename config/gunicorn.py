"""gunicorn settings, read from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

HOST/PORT     where to listen (default 127.0.0.1:8000; a container sets HOST=0.0.0.0)
WEB_CONCURRENCY  worker processes (default 2 x CPU cores + 1)
GUNICORN_THREADS threads per worker (default 1)
GUNICORN_TIMEOUT seconds a request may take before its worker is restarted (default 30)
FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-* (default 127.0.0.1)

Like the settings, it reads `.env` too (config/env.py); the real environment wins.
"""

import multiprocessing
import os

from config.env import read_env_file

read_env_file()


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)

# A stuck request frees its worker after `timeout`; a restart lets requests finish first.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Access and error logs to stdout/stderr, where the platform collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Worker heartbeats in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn 25+ opens a control socket at one path per user, shared by every server on the
# host; nothing here uses it, so two servers (or a test run beside one) cannot collide.
control_socket_disable = True
