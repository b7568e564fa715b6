"""What a resident's phone downloads for a service page, and from whom."""

import gzip
from collections import Counter

import pytest

from .conftest import MEASUREMENTS, PHONE, is_local

# The target for a service page without images, with text files gzipped as
# production sends them. The Arabic page is the heavier (its own font in two
# weights): 183 KB when the target was first asserted, the Dutch one 83 KB.
TARGET_BYTES = 200_000
TEXT_TYPES = {"document", "stylesheet", "script", "fetch", "xhr"}


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_a_service_page_on_a_phone_asks_nobody_else_and_weighs_under_the_target(
    new_context, demo, record_property, screenshot, language
):
    page = new_context(PHONE, locale=language).new_page()
    requested, finished = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfinished", lambda request: finished.append(request))

    page.goto(demo.path("service", language), wait_until="networkidle")

    elsewhere = [url for url in requested if not is_local(url) and not url.startswith("data:")]
    assert not elsewhere, "The service page asked other hosts:\n" + "\n".join(elsewhere)

    transferred = compressed = 0
    by_type = Counter()
    for request in finished:
        if request.resource_type == "image":
            continue
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        transferred += size
        by_type[request.resource_type] += size
        body = request.response().body()
        # What production sends: WhiteNoise serves compressed copies of text
        # files; the test server sends them as they are.
        compressed += sizes["responseHeadersSize"] + (
            len(gzip.compress(body, 6)) if request.resource_type in TEXT_TYPES else len(body)
        )
    assert transferred > 0

    record_property("service_page_bytes", transferred)
    record_property("service_page_bytes_gzip", compressed)
    report = f"service page ({language}, phone), bytes without images"
    MEASUREMENTS[report] = (
        f"{transferred:,} transferred by the test server (static files uncompressed), "
        f"{compressed:,} with text files gzipped (production's WhiteNoise sends compressed "
        f"copies); target {TARGET_BYTES:,}; "
        f"{len(finished)} requests, all to 127.0.0.1 ("
        + ", ".join(f"{kind} {size:,}" for kind, size in by_type.most_common())
        + ")"
    )
    screenshot(page)
    assert compressed < TARGET_BYTES, MEASUREMENTS[report]
