"""Hypothesis profiles for the fuzz suite, chosen with ``HYPOTHESIS_PROFILE``.

``ci`` (the default) is derandomised: every run, locally and in CI, posts the
same inputs, so a failure is reproducible from the test name alone. Each test
sets its number of inputs with ``@examples(n)`` (tests/fuzz/strategies.py). ``long``
draws fresh random inputs, twenty times as many per test, and remembers the
failing ones under ``var/hypothesis/`` (git ignores ``var/``) to try them first
next time.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# Each test keeps one logged-in client and one database transaction for all
# its examples (every example rolls back its own changes, see
# tests/fuzz/forms.py), so function-scoped fixtures are shared on purpose. The
# admin's pages are slow to render and some inputs are large by design.
_SHARED = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "print_blob": True,
}

settings.register_profile("ci", derandomize=True, database=None, **_SHARED)
settings.register_profile(
    "long",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(
        str(Path(__file__).resolve().parents[2] / "var" / "hypothesis")
    ),
    **_SHARED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def no_rate_limits(settings):
    """A fuzz test sends hundreds of requests from one address in a minute; the
    limits themselves are tested in tests/test_throttling.py."""
    settings.RATELIMIT_SEARCH = "1000000/m"
    settings.RATELIMIT_SUGGEST = "1000000/m"
