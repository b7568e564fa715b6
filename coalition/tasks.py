from django_tasks import task

from . import freshness


@task()
def send_freshness_digests() -> int:
    """Daily: e-mail each partner the services it has not checked for six months."""
    return len(freshness.send_digests())
