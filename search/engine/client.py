"""The engine's client: opensearch-py for OpenSearch, elasticsearch-py for
Elasticsearch. Queries are built once (elasticsearch-dsl) as plain dicts and
sent through whichever client the settings name; every transport failure
becomes an :class:`~search.query.EngineError`."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from ..query import EngineError

# Connections kept open to the engine: one search sends its hits and its
# counting requests at the same time (see backends/engine.py), from every
# request thread of the process.
CONNECTIONS = 10


# Answers that mean "this node cannot serve it now, another may": a node that
# lost its cluster manager, or one shutting down.
RETRY_ON_STATUS = (502, 503, 504)
# Answers that mean the engine cannot take more now (a full queue, a memory
# circuit breaker): like no answer, not a refusal of the request.
UNAVAILABLE_STATUS = (429, *RETRY_ON_STATUS)


def is_refusal(status) -> bool:
    """Whether an answer with HTTP ``status`` refused the request itself: the
    engine is up and would run another one."""
    return isinstance(status, int) and status >= 400 and status not in UNAVAILABLE_STATUS


def all_or_nothing(method: str, kwargs: dict) -> dict:
    """``kwargs`` for a search that fails whole when any shard fails it. By
    default the engine answers with the shards that did not fail, and says
    so only in ``_shards``: a Dutch fallback index that refused a query left
    a search in another language with her language's services only, shown
    as all there were."""
    if method == "search":
        return {**kwargs, "allow_partial_search_results": False}
    if method == "msearch":
        lines = kwargs["body"]
        # Every other line is a search's header.
        header = {"allow_partial_search_results": False}
        body = [{**line, **header} if n % 2 == 0 else line for n, line in enumerate(lines)]
        return {**kwargs, "body": body}
    return kwargs


def hosts(url: str) -> list[str]:
    """The nodes of ``url``: one address, or several separated by commas."""
    return [host.strip() for host in url.split(",") if host.strip()]


@cache
def _client(url: str, flavour: str, timeout: float):
    # A request that cannot reach a node (refused, reset) goes to the next
    # one: with every node of a cluster listed, one dead node costs no
    # search. A timeout is not retried: the search would then wait twice,
    # and the database answers it instead (search/query.py).
    nodes = hosts(url)
    retries = len(nodes) - 1
    if flavour == "elasticsearch":
        from elasticsearch import Elasticsearch

        return Elasticsearch(
            nodes,
            request_timeout=timeout,
            max_retries=retries,
            retry_on_status=RETRY_ON_STATUS if retries else (),
            retry_on_timeout=False,
            connections_per_node=CONNECTIONS,
        )
    from opensearchpy import OpenSearch

    return OpenSearch(
        hosts=nodes,
        timeout=timeout,
        max_retries=retries,
        retry_on_status=RETRY_ON_STATUS if retries else (),
        retry_on_timeout=False,
        pool_maxsize=CONNECTIONS,
    )


def _errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [ConnectionError, TimeoutError]
    from opensearchpy.exceptions import OpenSearchException

    errors.append(OpenSearchException)
    try:
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        errors += [TransportError, ApiError]
    except ImportError:  # pragma: no cover - elasticsearch-py is in requirements.txt
        pass
    return tuple(errors)


class Engine:
    """A thin facade over the client: the few calls the project makes."""

    def __init__(
        self,
        url: str | None = None,
        flavour: str | None = None,
        timeout: float | None = None,
        for_indexing: bool = False,
    ):
        config = settings.SEARCH_ENGINE
        self.url = url or config["URL"]
        self.flavour = flavour or config["FLAVOUR"]
        if timeout is None:
            timeout = config["INDEX_TIMEOUT"] if for_indexing else config["TIMEOUT"]
        self.timeout = timeout
        self.prefix = config["INDEX_PREFIX"]
        if not self.url:
            raise EngineError("No search engine configured (SEARCH_ENGINE_URL is empty).")
        self.client = _client(self.url, self.flavour, self.timeout)

    def call(self, method: str, *args, request_timeout: float | None = None, **kwargs):
        """Call ``method`` of the client; ``request_timeout`` overrides the
        engine's timeout for this one call."""
        target = self.client
        if request_timeout is not None:
            if self.flavour == "elasticsearch":
                target = target.options(request_timeout=request_timeout)
            else:
                kwargs["request_timeout"] = request_timeout
        for part in method.split("."):
            target = getattr(target, part)
        try:
            response = target(*args, **all_or_nothing(method, kwargs))
        except _errors() as error:
            raise EngineError(
                f"{self.flavour} at {self.url}: {method} failed: {error}",
                refused=is_refusal(getattr(error, "status_code", None)),
            ) from error
        # elasticsearch-py 8 wraps bodies in ObjectApiResponse.
        return getattr(response, "body", response)

    def alias(self, language_code: str) -> str:
        return f"{self.prefix}-services-{language_code}"
