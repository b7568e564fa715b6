from django.core.paginator import Page, Paginator

PER_PAGE = 20


def paginate(request, object_list, per_page: int | None = None) -> Page:
    """The requested page of ``object_list``; a bad or too high number gives the nearest page."""
    per_page = per_page or PER_PAGE
    paginator = Paginator(object_list, per_page)
    number = request.GET.get("page")
    if number not in (None, "", "1"):
        return paginator.get_page(number)
    # The first page, which most visitors ask for, read with one row more:
    # that says whether there are others, so a short list (a partner's five
    # services) is not counted in a query of its own.
    rows = list(object_list[: per_page + 1])
    if len(rows) <= per_page:
        paginator.count = len(rows)
    return paginator._get_page(rows[:per_page], 1, paginator)
