"""Production settings: `check --deploy` is clean and static files are collected."""

import json

from .conftest import manage, production_env


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=""), "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_collectstatic_writes_hashed_compressed_files(tmp_path):
    static_root = tmp_path / "static"
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="tests.production.settings_static_root",
        TEST_STATIC_ROOT=str(static_root),
    )

    result = manage(env, "collectstatic", "--noinput", "-v0")

    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    assert hashed != "admin/css/base.css"
    assert (static_root / hashed).is_file()
    assert (static_root / f"{hashed}.gz").is_file()
