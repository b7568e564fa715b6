"""Writing to the engine: upserts and deletes for changed pages, and a full
rebuild into a fresh index that replaces the live one by an alias swap."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from directory.models import ServicePage

from ..query import EngineError
from ..signals import index_updated
from .client import Engine
from .documents import DocumentBuilder
from .mapping import MAPPING_VERSION, index_body

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Bulk requests on their way while the next batch is built: the database and
# Python build documents while the engine indexes the previous batch.
IN_FLIGHT = 2
REFRESH_TIMEOUT = 600.0
MERGE_TIMEOUT = 1800.0
GREEN_TIMEOUT = 30.0


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def indexable_services():
    """What belongs in the index: live, public services. Everything else is removed."""
    return ServicePage.objects.live().public()


def _bulk(engine: Engine, actions: list[dict], refresh) -> None:
    if not actions:
        return
    response = engine.call("bulk", body=actions, refresh=refresh)
    if response.get("errors"):
        failed = [
            item
            for item in response["items"]
            if next(iter(item.values())).get("status", 200) >= 300
            and next(iter(item.values())).get("status") != 404
        ]
        if failed:
            raise EngineError(f"bulk request had {len(failed)} failures, first: {failed[0]}")


def _actions(
    engine: Engine,
    page_ids: set[int],
    target: dict[str, str] | None = None,
    services: QuerySet | None = None,
) -> tuple[list[dict], int]:
    """Bulk actions that upsert the live, public services among ``page_ids`` and
    remove the others, and how many services they upsert. ``services`` selects
    the same pages more cheaply than a list of ids, when the caller has it."""
    if services is None:
        services = indexable_services().filter(pk__in=page_ids)
    actions: list[dict] = []
    written = set()
    for page_id, language, document in DocumentBuilder(services):
        index = (target or {}).get(language) or engine.alias(language)
        actions += [{"index": {"_index": index, "_id": str(page_id)}}, document]
        written.add(page_id)
    for page_id in page_ids - written:
        for language in content_languages():
            actions.append({"delete": {"_index": engine.alias(language), "_id": str(page_id)}})
    return actions, len(written)


def index_pages(
    engine: Engine,
    page_ids: Iterable[int],
    target: dict[str, str] | None = None,
    refresh: bool | str = False,
) -> int:
    """Upsert the live, public services among ``page_ids``; remove the others."""
    actions, written = _actions(engine, set(page_ids), target)
    _bulk(engine, actions, refresh=refresh)
    return written


def ensure_indexes(engine: Engine) -> None:
    """Create a first index behind each language's alias when there is none."""
    for language in content_languages():
        alias = engine.alias(language)
        if not engine.call("indices.exists_alias", name=alias):
            name = _new_index_name(engine, language)
            engine.call("indices.create", index=name, body=index_body(language))
            engine.call("indices.put_alias", index=name, name=alias)


def _new_index_name(engine: Engine, language: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"{engine.alias(language)}-v{MAPPING_VERSION}-{stamp}"


def _fill(
    engine: Engine,
    language: str,
    name: str,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    in_language = indexable_services().filter(locale__language_code=language)
    ids = list(in_language.order_by("pk").values_list("pk", flat=True))
    done = 0
    pending: list[Future] = []
    # One sender thread: requests go out in order while this thread (which owns
    # the database connection) builds the next batch.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-bulk") as sender:
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            actions, written = _actions(
                engine,
                set(batch),
                target={language: name},
                # The batch is a run of the sorted ids of this language.
                services=in_language.filter(pk__gte=batch[0], pk__lte=batch[-1]),
            )
            pending.append(sender.submit(_bulk, engine, actions, False))
            while len(pending) >= IN_FLIGHT:
                pending.pop(0).result()
            done += written
            if progress:
                progress(language, done, len(ids))
        for future in pending:
            future.result()
    if progress and not ids:
        progress(language, 0, 0)
    return done


def _warm(engine: Engine, name: str) -> None:
    """Run the listing query (every facet) once on the new index before the
    swap: the first search of a fresh index builds its facet structures, which
    at 100k services on a busy machine took longer than a search may."""
    from ..backends.engine import build_search
    from ..query import ServiceQuery

    body = build_search(ServiceQuery(), None, "and", 0, 1)
    engine.call("search", index=name, body=body, request_timeout=REFRESH_TIMEOUT)


def rebuild(engine: Engine, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Index everything into new indexes, then swap the aliases in one step.

    Searches keep using the old indexes until the swap, so there is no moment
    without results; the old indexes are deleted afterwards. When it fails (a
    node of the cluster died with the only copy of a half-filled index), the
    half-filled index is deleted, so that running it again starts clean.
    """
    counts, replaced = {}, []
    try:
        for language in content_languages():
            name = _new_index_name(engine, language)
            try:
                counts[language], old = _rebuild_language(engine, language, name, progress)
            except EngineError:
                _delete_quietly(engine, name)
                raise
            replaced += old
    except EngineError:
        _retire(engine, replaced, quietly=True)
        raise
    index_updated.send(sender=Engine, page_ids=None)
    _retire(engine, replaced)
    return counts


def _retire(engine: Engine, indexes: list[str], quietly: bool = False) -> None:
    """Delete the indexes the aliases left, once the searches that were
    already on them are over: a search that found an old index through its
    alias just before the swap failed when the index was deleted under it
    ("this Analyzer is closed"), and the site answered from the database.
    Searches give up after the engine's timeout."""
    if not indexes:
        return
    time.sleep(settings.SEARCH_ENGINE["TIMEOUT"] + 1)
    for index in indexes:
        if quietly:
            _delete_quietly(engine, index)
        else:
            engine.call("indices.delete", index=index)


def _delete_quietly(engine: Engine, name: str) -> None:
    try:
        engine.call("indices.delete", index=name, ignore_unavailable=True)
    except EngineError as error:
        logger.warning("Could not delete the half-built index %s: %s", name, error)


def _rebuild_language(
    engine: Engine,
    language: str,
    name: str,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[int, list[str]]:
    """Fill a new index for ``language`` and swap its alias over; how many
    documents it has, and the indexes the alias left."""
    alias = engine.alias(language)
    body = index_body(language)
    searchable = {key: body["settings"][key] for key in ("refresh_interval", "number_of_replicas")}
    # Nobody searches the new index before the swap: no refreshes while it
    # fills, which makes bulk indexing cheaper. On a cluster the replicas are
    # written from the start: a node that dies during the rebuild then loses
    # no copy the rebuild depends on, and it goes on without starting again.
    body["settings"].update(refresh_interval="-1")
    engine.call("indices.create", index=name, body=body)
    count = _fill(engine, language, name, progress)
    engine.call("indices.put_settings", index=name, body={"index": searchable})
    if searchable["number_of_replicas"]:
        # Swap once every copy is in place, if the cluster has the nodes for
        # them soon; with a node gone (its copies wait a minute for it to come
        # back) the new index is no worse off than the old one.
        try:
            engine.call(
                "cluster.health",
                index=name,
                wait_for_status="green",
                timeout=f"{int(GREEN_TIMEOUT)}s",
                request_timeout=GREEN_TIMEOUT + 10,
            )
        except EngineError as error:
            # Not green in time (the engine answers 408): swap all the same.
            logger.warning("Index %s is not green yet, swapping all the same: %s", name, error)
    # This first refresh makes every document written since the start
    # searchable at once: at 100k services on a busy machine it took longer
    # than the indexing timeout.
    engine.call("indices.refresh", index=name, request_timeout=REFRESH_TIMEOUT)
    # One segment: searches and facet counts then run over one set of
    # doc values, with no per-segment ordinals to map. The index is read far
    # more than it is written; later changes add small segments again.
    engine.call("indices.forcemerge", index=name, max_num_segments=1, request_timeout=MERGE_TIMEOUT)
    _warm(engine, name)
    old = (
        list(engine.call("indices.get_alias", name=alias))
        if engine.call("indices.exists_alias", name=alias)
        else []
    )
    actions = [{"remove": {"index": index, "alias": alias}} for index in old]
    actions.append({"add": {"index": name, "alias": alias}})
    engine.call("indices.update_aliases", body={"actions": actions})
    return count, old


def drain_queue(limit: int = 5000, patient: bool = False) -> int:
    """Send queued page changes to the engine; keep them queued if it fails.

    Impatient (the task started by an editor's change, which may run inside the
    request): the short search timeout, and nothing at all while the engine is
    known to be down. Patient (``manage.py search_sync``, the worker): the long
    indexing timeout. Either way the changes are searchable when it returns.
    """
    from ..models import IndexChange
    from ..query import engine_recently_failed, note_engine_failure

    changes = list(IndexChange.objects.order_by("pk")[:limit])
    if not changes or (not patient and engine_recently_failed()):
        return 0
    try:
        engine = Engine(for_indexing=patient)
        ensure_indexes(engine)
        page_ids = {change.page_id for change in changes}
        # Searchable before the pages listed from the search are purged
        # (``index_updated``): the worker waits for the next refresh; in the
        # editor's request a refresh now spares her that second.
        index_pages(engine, page_ids, refresh="wait_for" if patient else True)
    except EngineError as error:
        logger.warning(
            "Search index update failed; %d change(s) stay queued: %s", len(changes), error
        )
        if not patient:
            note_engine_failure(error, queued=len(changes))
        IndexChange.objects.filter(pk__in=[c.pk for c in changes]).update(
            attempts=F("attempts") + 1, last_error=str(error)[:500]
        )
        return 0
    IndexChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
    index_updated.send(sender=IndexChange, page_ids=page_ids)
    return len(changes)
