from django_tasks import task

from . import freshness


@task()
def send_freshness_digests() -> int:
    """Daily: e-mail each partner the services it has not checked for six months."""
    return len(freshness.send_digests())


@task()
def purge_suggestions() -> dict[str, int]:
    """Daily: delete residents' suggestions closed longer than the retention
    period ago, and forget the e-mail address of open ones that old."""
    from . import suggestions

    return suggestions.purge()
