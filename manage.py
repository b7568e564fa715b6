#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkwijzer.settings.dev")
    try:
        import wijkwijzer  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            "The project package `wijkwijzer` (the folder site/) is not installed. "
            "Run `make install`, or `pip install -e .` inside your virtualenv."
        ) from exc

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
