"""Project-level promises: the package layout and production settings."""

import json
import os
import site as stdlib_site
import subprocess
import sys
from pathlib import Path

import pytest

import wijkwijzer

ROOT = Path(__file__).resolve().parent.parent


def test_the_site_folder_is_importable_as_wijkwijzer_without_shadowing_site():
    assert Path(wijkwijzer.__file__).parent == ROOT / "site"
    assert Path(stdlib_site.__file__).parent != ROOT / "site"


def run_with_settings(module, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE=module, **env)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with_settings("wijkwijzer.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "a-long-random-test-value-" + "x7Gq" * 12,
    "ALLOWED_HOSTS": "wijkwijzer.example",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_pass_the_deployment_checklist():
    result = run_with_settings("wijkwijzer.settings.production", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_cache_that_app_processes_do_not_share():
    """Rate limits count in the cache: one in each process's memory would let
    every gunicorn worker serve the whole limit again."""
    result = run_with_settings(
        "wijkwijzer.settings.production", **{**PRODUCTION, "CACHE_URL": "locmemcache://"}
    )
    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "script",
    [
        # Stale when a language whose name has new letters was added.
        "scripts/build-fonts",
        # Stale when a template gained a utrecht-* class since `make install`.
        "scripts/build-css",
    ],
)
def test_the_built_static_files_are_up_to_date(script):
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, script, "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def database_options(url):
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "wijkwijzer.settings.dev",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_connections_compile_no_queries():
    """JIT compiling cost the open-now filter 520 ms at 100,000 services."""
    assert database_options("postgres://u@db.example/ww") == {"options": "-c jit=off"}
    # Options a deployment sets in its address are its own.
    assert database_options("postgres://u@db.example/ww?options=-c%20work_mem%3D64MB") == {
        "options": "-c work_mem=64MB"
    }
    assert database_options("sqlite:///:memory:") == {}
