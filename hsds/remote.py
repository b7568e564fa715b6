"""An import's SOURCE given as an address: an HSDS API's list of services
(JSON, followed page by page through HSDS paging) or a zipped tabular
package, fetched with the same limits as a file.

Refused with a message that says what went wrong, before anything is
written: an address that is not http(s), a server that cannot be reached
or does not answer within the timeout, an answer other than 200, an answer
(or all pages together) larger than the size limit, and whatever a file
of the same kind would be refused for (package.py). A list of services is
asked for in full (``full=true``, the nested objects the import needs)
unless the address says otherwise.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TIMEOUT = 30  # seconds without an answer before an address is given up
CHUNK = 64 * 1024


def _error(url: str, reason: str):
    from .package import PackageError

    return PackageError(f"{url}: {reason}")


def with_query(url: str, **values) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({key: str(value) for key, value in values.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def fetch(url: str, max_bytes: int, timeout: float, into=None) -> tuple[bytes, str]:
    """The answer's body (or, with ``into``, written to that open file) and
    its content type; counted while reading, whatever the server claims."""
    request = urllib.request.Request(  # noqa: S310 - only http(s), checked by read()
        url, headers={"Accept": "application/json, application/zip;q=0.9, */*;q=0.5"}
    )
    limit = f"{max_bytes / 1024 / 1024:g} MB"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _error(url, f"larger than the limit of {limit}.")
            kind = response.headers.get_content_type()
            read, parts = 0, []
            while chunk := response.read(CHUNK):
                read += len(chunk)
                if read > max_bytes:
                    raise _error(url, f"larger than the limit of {limit}.")
                if into is not None:
                    into.write(chunk)
                else:
                    parts.append(chunk)
            return b"".join(parts), kind
    except urllib.error.HTTPError as error:
        raise _error(url, f"the server answered {error.code} {error.reason}.") from None
    except TimeoutError:
        raise _error(url, f"no answer within {timeout:g} s.") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _error(url, f"no answer within {timeout:g} s.") from None
        raise _error(url, f"could not be reached ({error.reason}).") from None


def read(package, url: str, max_bytes: int, timeout: float | None = None) -> None:
    """Fill ``package`` (a package.Package) from ``url``."""
    from .package import Source

    timeout = timeout or TIMEOUT
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise _error(url, "only http and https addresses are read.")
    if urlsplit(url).path.rstrip("/").endswith("/services") and "full=" not in url:
        url = with_query(url, full="true")
    folder = Path(package.spool.folder.name)
    download = folder / "download"
    with download.open("wb") as handle:
        _, kind = fetch(url, max_bytes, timeout, into=handle)
    label = urlunsplit(urlsplit(url)._replace(query=""))
    with download.open("rb") as handle:
        head = handle.read(1)
    if kind == "application/json" or head in (b"{", b"["):
        received = download.stat().st_size
        data = package.add_json(label, download.read_bytes())
        page = data.get("page_number") or 1
        total = data.get("total_pages") or 1
        while isinstance(page, int) and isinstance(total, int) and page < total:
            page += 1
            body, _ = fetch(with_query(url, page=page), max_bytes, timeout)
            received += len(body)
            if received > max_bytes:
                limit = f"{max_bytes / 1024 / 1024:g} MB"
                raise _error(url, f"its pages together are larger than the limit of {limit}.")
            data = package.add_json(label, body)
        package.finish_json(label)
        return
    # Anything else should be a zipped package: read as a zip file is.
    archive = folder / "package.zip"
    download.rename(archive)
    package.read_source(Source(archive, max_bytes))
