"""Project-wide settings, URLs and templates, importable as ``wijkwijzer``.

The folder is called ``site/`` but the standard library's ``site`` module is
imported by the interpreter before any project code runs, so ``import site``
would never reach this package. ``pyproject.toml`` installs this folder under
the name ``wijkwijzer`` instead (see the README).
"""
