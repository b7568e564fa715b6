from django.urls import path

from wijkwijzer.throttling import limited

from . import views
from .views import error_response

app_name = "hsds"


def refuse(request, retry_after: int):
    response = error_response(429, "Too many requests; try again later.")
    response["Retry-After"] = str(retry_after)
    return response


def api(view):
    return limited("RATELIMIT_API", view, refuse)


urlpatterns = [
    path("", api(views.meta), name="meta"),
    path("openapi.json", api(views.openapi), name="openapi"),
    path("profile/", api(views.profile), name="profile"),
    path("services", api(views.services), name="services"),
    path("services/<str:id>", api(views.service_detail), name="service"),
    path("organizations", api(views.organizations), name="organizations"),
    path("organizations/<str:id>", api(views.organization_detail), name="organization"),
    path("service_at_locations", api(views.service_at_locations), name="service_at_locations"),
    path(
        "service_at_locations/<str:id>",
        api(views.service_at_location_detail),
        name="service_at_location",
    ),
    path("taxonomies", api(views.taxonomies), name="taxonomies"),
    path("taxonomies/<str:id>", api(views.taxonomy_detail), name="taxonomy"),
    path("taxonomy_terms", api(views.taxonomy_terms), name="taxonomy_terms"),
    path("taxonomy_terms/<str:id>", api(views.taxonomy_term_detail), name="taxonomy_term"),
]
