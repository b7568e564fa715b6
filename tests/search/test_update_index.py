"""``manage.py update_index`` at national scale: the directory is not
counted again for every service it indexes."""

import io
import re

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from directory.models import ServicePage
from search import analysis

pytestmark = pytest.mark.django_db

COUNTING_SERVICES = re.compile(r'SELECT COUNT\(\*\).*FROM "directory_servicepage"', re.S)


def test_a_full_reindex_reads_the_vocabulary_once_and_counts_no_service_per_service():
    services = ServicePage.objects.count()
    assert services > 50
    analysis.forget()
    with CaptureQueriesContext(connection) as queries:
        call_command("update_index", stdout=io.StringIO())
    counts = [q for q in queries.captured_queries if COUNTING_SERVICES.search(q["sql"])]
    # One count when the grown vocabulary is remembered at the end; Wagtail's
    # own progress counts none of the services' rows one by one.
    assert len(counts) <= 2, f"{len(counts)} counts of the services for {services} indexed"
