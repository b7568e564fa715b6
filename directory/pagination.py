from django.core.paginator import Page, Paginator

PER_PAGE = 20


def paginate(request, object_list, per_page: int | None = None) -> Page:
    """The requested page of ``object_list``; a bad or too high number gives the nearest page."""
    return Paginator(object_list, per_page or PER_PAGE).get_page(request.GET.get("page"))
