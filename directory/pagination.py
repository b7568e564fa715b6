from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PER_PAGE = 20


def paginate(request, object_list, per_page: int | None = None, count: bool = True) -> Page:
    """The requested page of ``object_list``; a bad or too high number gives
    the nearest page. ``count=False`` is for a listing too long to count on
    every view (a national partner's 11,700 services took 30-50 ms to count,
    most of the page's time): each page is read with one row more, which
    says whether there is a next one, and until the last page is reached
    ``paginator.counted`` is False and ``num_pages`` only says "at least one
    more"."""
    per_page = per_page or PER_PAGE
    paginator = Paginator(object_list, per_page)
    number = request.GET.get("page")
    if count and number not in (None, "", "1"):
        return paginator.get_page(number)
    try:
        number = max(int(number or 1), 1)
    except ValueError:
        number = 1
    # The page read with one row more: that says whether there are others,
    # so a short list (a partner's five services) is not counted in a query
    # of its own.
    bottom = (number - 1) * per_page
    rows = list(object_list[bottom : bottom + per_page + 1])
    if not rows and number > 1:
        # Beyond the end: counted, to show the last page.
        return paginator.get_page(number)
    if len(rows) <= per_page:
        paginator.count = bottom + len(rows)
    elif not count:
        paginator.count = bottom + len(rows)
        paginator.counted = False
    return paginator._get_page(rows[:per_page], number, paginator)


class Concatenated:
    """Ordered querysets listed one after the other, as one list a
    ``Paginator`` pages through: a slice reads only the parts it reaches,
    each in its own order, so each part can be read from an index in order
    where one query ordering by "which part" first would sort them all."""

    ordered = True

    def __init__(self, *parts: QuerySet):
        self.parts = parts
        self._counts: list[int | None] = [None] * len(parts)

    def _count(self, index: int) -> int:
        if self._counts[index] is None:
            self._counts[index] = self.parts[index].count()
        return self._counts[index]

    def count(self) -> int:
        return sum(self._count(index) for index in range(len(self.parts)))

    def __getitem__(self, wanted: slice) -> list:
        if not isinstance(wanted, slice) or wanted.step is not None:
            raise TypeError("Concatenated takes a slice without a step")
        start, stop = wanted.start or 0, wanted.stop
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("Concatenated takes no negative indices")
        rows: list = []
        for index, part in enumerate(self.parts):
            read = list(part[start:stop])
            rows += read
            if stop is not None and len(read) == stop - start:
                break
            # This part ends before the slice does; where it ends is known
            # from what was read, unless the slice starts beyond it.
            if read or start == 0:
                self._counts[index] = start + len(read)
            size = self._count(index)
            start = max(start - size, 0)
            if stop is not None:
                stop -= size
                if stop <= 0:
                    break
        return rows
