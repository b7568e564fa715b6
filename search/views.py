from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from wagtail.models import Locale

from directory.links import page_url

from .alternatives import no_results_help
from .forms import MAX_QUERY_LENGTH, ServiceSearchForm, matching_municipalities
from .query import search_services, suggest_services


@require_GET
def search(request):
    locale = Locale.get_active()
    form = ServiceSearchForm(request.GET, locale=locale)
    query = form.to_query()
    results = search_services(query, locale, page_number=request.GET.get("page"))
    template = (
        "search/includes/results.html" if request.GET.get("partial") else "search/search.html"
    )
    context = {
        "form": form,
        "query": query,
        "results": results,
        # Said at the top of the results: the search ran without the place.
        "unknown_place": form.unknown_place(),
        "no_results_help": (
            None if results.total else no_results_help(request, query, locale, results)
        ),
    }
    return TemplateResponse(request, template, context)


@require_GET
def suggest(request):
    """Titles that complete what the visitor is typing, for the search box."""
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    services = suggest_services(text, Locale.get_active()) if len(text.strip()) >= 2 else []
    return JsonResponse(
        {
            "suggestions": [
                {"title": service.title, "url": page_url(service, request=request)}
                for service in services
            ]
        }
    )


@require_GET
def municipalities(request):
    """Municipalities whose name matches what she is typing, for the place
    filter when there are too many to list on the page."""
    text = request.GET.get("q", "")[:80]
    return JsonResponse(
        {
            "municipalities": [
                {"code": municipality.cbs_code, "name": municipality.name}
                for municipality in matching_municipalities(text)
            ]
        }
    )
