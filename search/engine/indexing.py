"""Writing to the engine: upserts and deletes for changed pages, and a full
rebuild into a fresh index that replaces the live one by an alias swap."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from directory.models import ServicePage

from ..query import EngineError
from .client import Engine
from .documents import DocumentBuilder, prefetched
from .mapping import MAPPING_VERSION, index_body

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def indexable_services():
    """What belongs in the index: live, public services. Everything else is removed."""
    return ServicePage.objects.live().public().select_related("locale")


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


def index_pages(
    engine: Engine,
    page_ids: Iterable[int],
    target: dict[str, str] | None = None,
    refresh: bool | str = False,
) -> int:
    """Upsert the live, public services among ``page_ids``; remove the others."""
    page_ids = set(page_ids)
    services = list(prefetched(indexable_services().filter(pk__in=page_ids)))
    actions: list[dict] = []
    for service, document in DocumentBuilder(services):
        index = (target or {}).get(service.locale.language_code) or engine.alias(
            service.locale.language_code
        )
        actions += [{"index": {"_index": index, "_id": str(service.pk)}}, document]
    for page_id in page_ids - {service.pk for service in services}:
        for language in content_languages():
            actions.append({"delete": {"_index": engine.alias(language), "_id": str(page_id)}})
    _bulk(engine, actions, refresh=refresh)
    return len(services)


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


def rebuild(engine: Engine, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Index everything into new indexes, then swap the aliases in one step.

    Searches keep using the old indexes until the swap, so there is no moment
    without results; the old indexes are deleted afterwards.
    """
    counts = {}
    for language in content_languages():
        alias = engine.alias(language)
        name = _new_index_name(engine, language)
        engine.call("indices.create", index=name, body=index_body(language))
        ids = list(
            indexable_services()
            .filter(locale__language_code=language)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        done = 0
        for start in range(0, len(ids), BATCH_SIZE):
            done += index_pages(engine, ids[start : start + BATCH_SIZE], target={language: name})
            if progress:
                progress(language, done, len(ids))
        if progress and not ids:
            progress(language, 0, 0)
        engine.call("indices.refresh", index=name)
        old = (
            list(engine.call("indices.get_alias", name=alias))
            if engine.call("indices.exists_alias", name=alias)
            else []
        )
        actions = [{"remove": {"index": index, "alias": alias}} for index in old]
        actions.append({"add": {"index": name, "alias": alias}})
        engine.call("indices.update_aliases", body={"actions": actions})
        for index in old:
            engine.call("indices.delete", index=index)
        counts[language] = done
    return counts


def drain_queue(limit: int = 5000, patient: bool = False) -> int:
    """Send queued page changes to the engine; keep them queued if it fails.

    Impatient (the task started by an editor's change, which may run inside the
    request): the short search timeout, and nothing at all while the engine is
    known to be down. Patient (``manage.py search_sync``): the long indexing
    timeout, and wait until the changes are searchable.
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
        index_pages(engine, page_ids, refresh="wait_for" if patient else False)
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
    return len(changes)
