"""The cluster tests start a whole multi-machine set-up (tests/cluster/stack.py)
and take minutes: they are collected only when WIJKWIJZER_CLUSTER_TESTS=1 (CI's
PostgreSQL run sets it). Not collected rather than skipped: a skipped test
fails the run here (tests/conftest.py)."""

import os

import pytest

collect_ignore_glob = [] if os.environ.get("WIJKWIJZER_CLUSTER_TESTS") else ["test_*.py"]


@pytest.fixture(scope="session")
def stack(request, tmp_path_factory):
    """The set-up, with a copy of the test database's demo when the tests run
    on PostgreSQL (CI's PostgreSQL run), else with the demo loaded anew."""
    from django.db import connection

    from .stack import Stack

    copy_of = None
    if connection.vendor == "postgresql":
        request.getfixturevalue("django_db_setup")
        copy_of = connection.settings_dict
    started = Stack(folder=tmp_path_factory.mktemp("cluster"))
    try:
        started.start(copy_of=copy_of)
        yield started
    finally:
        started.stop()
