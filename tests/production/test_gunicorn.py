"""gunicorn with config/gunicorn.py really serves the app (a real process on a free port)."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import PROJECT, find_free_port, manage, production_env

pytestmark = pytest.mark.integration


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{process.stdout.read()}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer in time")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """collectstatic, then gunicorn -c config/gunicorn.py config.wsgi with production env
    (one server for the module: starting it is the slow part)."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    free_port = find_free_port()
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="tests.production.settings_static_root",
        TEST_STATIC_ROOT=str(tmp_path / "static"),
        HOST="127.0.0.1",
        PORT=str(free_port),
        WEB_CONCURRENCY="1",
    )
    collected = manage(env, "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{free_port}"
    try:
        wait_until_serving(f"{base}/health", process)
        yield base, tmp_path / "static"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_serves_health_and_static_files(gunicorn):
    base, static_root = gunicorn

    status, _, body = get(f"{base}/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    # Behind the TLS proxy: static files by their hashed names, cached for a long time.
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    status, headers, body = get(
        f"{base}/static/{hashed}", {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_gunicorn_redirects_plain_http_to_https_except_health(gunicorn):
    base, _ = gunicorn

    request = urllib.request.Request(f"{base}/admin/login/")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)

    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://")
    # The load balancer's probe over plain HTTP is answered, not redirected.
    assert opener.open(f"{base}/health", timeout=5).status == 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
