from django.template.response import TemplateResponse

from wagtail.models import Locale

from .forms import ServiceSearchForm
from .query import search_services


def search(request):
    locale = Locale.get_active()
    form = ServiceSearchForm(request.GET, locale=locale)
    query = form.to_query()
    results = search_services(query, locale, page_number=request.GET.get("page"))
    return TemplateResponse(
        request,
        "search/search.html",
        {"form": form, "query": query, "results": results},
    )
