"""One way to render the coalition's own admin pages inside Wagtail's admin chrome."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _


def render_admin_page(request, template, title, *, trail=(), **context):
    """Render ``template`` with Wagtail's page title and breadcrumbs.

    ``trail`` holds ``(url, label)`` pairs between the admin's home and this page,
    so a step inside a tool (an upload, a preview) links back to the tool.
    """
    crumbs = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
    crumbs += [{"url": url, "label": label} for url, label in trail]
    crumbs.append({"url": "", "label": title})
    return TemplateResponse(
        request,
        template,
        {"page_title": title, "header_title": title, "breadcrumbs_items": crumbs, **context},
    )
