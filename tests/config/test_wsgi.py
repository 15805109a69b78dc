"""The WSGI application tunes the garbage collector (config/wsgi.py): what start-up loaded
is frozen, the young generation is collected less often."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_the_wsgi_application_freezes_start_up_and_raises_the_threshold():
    # In its own process: the test process keeps CPython's defaults.
    script = (
        "import gc, json, config.wsgi as w; "
        "print(json.dumps([gc.get_threshold(), gc.get_freeze_count(), w.GC_THRESHOLDS]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ENV_FILE": ""}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    threshold, frozen, configured = json.loads(result.stdout.strip().splitlines()[-1])
    assert threshold == configured == [50_000, 10, 10]
    assert frozen > 10_000  # Django, the apps and their models
