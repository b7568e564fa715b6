import json
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

from wagtail.models import Locale, Page, Site

from directory import per_request
from directory.links import language_of, page_url, with_prefix
from directory.models import ContentPage, HomePage, PartnerIndexPage, ThemeIndexPage, WijkIndexPage

register = template.Library()

# The same escapes as Django's json_script: the JSON can never close the
# <script> element or open a comment, whatever an editor typed.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data) -> str:
    """Render ``data`` as a schema.org JSON-LD <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return mark_safe(  # noqa: S308 - the JSON is escaped above
        '<script type="application/ld+json">' + text.translate(_JSON_SCRIPT_ESCAPES) + "</script>"
    )


# What a single-quoted attribute value must not contain as it is; double
# quotes may stay (JSON is full of them: escaped they took a tenth of the
# search page).
_SINGLE_QUOTED_ESCAPES = {ord("&"): "&amp;", ord("'"): "&#x27;", ord("<"): "&lt;", ord(">"): "&gt;"}


@register.filter
def single_quoted(value) -> str:
    """``value`` escaped for an attribute written between single quotes."""
    return mark_safe(str(value).translate(_SINGLE_QUOTED_ESCAPES))  # noqa: S308 - escaped here


def _navigation(request) -> tuple[Page | None, list[Page]]:
    """The home page in the visitor's language (the Dutch one if not
    translated) and its live public children: every page shows them in its
    header, menu and footer, so they are kept (``per_request.shared``)."""
    found = getattr(request, "_directory_navigation", None)
    if found is not None:
        return found
    site = Site.find_for_request(request)
    home, children = None, []
    if site is not None:
        locale = Locale.get_active()
        home, children = per_request.shared(
            ("navigation", site.pk, locale.pk), lambda: _read_navigation(site.root_page, locale)
        )
    request._directory_navigation = (home, children)
    return home, children


def _read_navigation(root: Page, locale: Locale) -> tuple[Page, list[Page]]:
    # The routing read the home page in the visitor's language already.
    translated = per_request.known_translation(root, locale) or root.get_translation_or_none(locale)
    # Its type decides the menus; what they show is in the base row, so
    # the home page's own fields are not read (they would be on first use).
    home = (translated or root).specific_deferred
    children = []
    if isinstance(home, HomePage):
        # The menus show titles and addresses, which the base rows hold:
        # no query per page type.
        children = list(home.get_children().live().public().specific(defer=True))
    return home, children


@register.simple_tag(takes_context=True)
def home_page(context):
    """The home page in the visitor's language (the Dutch one if not translated)."""
    request = context.get("request")
    return _navigation(request)[0] if request else None


def _home_children(context, types):
    request = context.get("request")
    if request is None:
        return []
    return [page for page in _navigation(request)[1] if isinstance(page, types)]


@register.simple_tag(takes_context=True)
def main_navigation(context):
    """Links to the listing pages under the home page, in the visitor's language."""
    return _home_children(context, (ThemeIndexPage, WijkIndexPage, PartnerIndexPage))


@register.simple_tag(takes_context=True)
def footer_navigation(context):
    """Links to the text pages (about, privacy) under the home page."""
    return _home_children(context, (ContentPage,))


@register.simple_tag(takes_context=True)
def term_name(context, term) -> str:
    """The name of a theme or audience in the visitor's language, or its own
    where it has no translation (as ``term.localized.name``): from the terms
    kept per process (``per_request.every``), not a query per term on every
    card."""
    request = context.get("request")
    names = getattr(request, "_directory_term_names", None)
    if names is None:
        names = {}
        if request is not None:
            request._directory_term_names = names
    model = type(term)
    if model not in names:
        locale = Locale.get_active()
        names[model] = per_request.shared(
            ("term names", model, locale.pk),
            lambda: {
                term.translation_key: term.name
                for term in per_request.every(model)
                if term.locale_id == locale.pk
            },
        )
    return names[model].get(term.translation_key, term.name)


@register.filter
def national(phone) -> str:
    """A phone number as Dutch residents write it: 030 799 1201."""
    if not phone:
        return ""
    return phone.as_national if phone.country_code == 31 else phone.as_international


@register.filter
def whatsapp_link(phone) -> str:
    return f"https://wa.me/{phone.as_e164.lstrip('+')}" if phone else ""


@register.simple_tag(takes_context=True)
def query_string(context, **changes):
    """The current query string with ``changes`` applied (``None`` removes a key)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[dict]:
    """This page in every language: its translation where one is published,
    otherwise the same address under the other language prefix (which shows the
    Dutch page with a notice). ``translated`` marks real translations, for hreflang."""
    request = context.get("request")
    if request is None:
        return []
    page = context.get("page")
    published = set()
    if isinstance(page, Page) and page.pk:
        published = set(
            page.get_translations(inclusive=True)
            .live()
            .public()
            .values_list("locale__language_code", flat=True)
        )
    current = get_language()
    other_language = _other_language(request.get_full_path(), current)
    versions = []
    for code, name in settings.LANGUAGES:
        versions.append(
            {
                "code": code,
                "name": name,
                "url": other_language(code),
                "current": code == current,
                "translated": code in published or not published,
                "bidi": get_language_info(code)["bidi"],
            }
        )
    return versions


def _other_language(full_path: str, current: str):
    """How to write ``full_path`` under another language's prefix: the same
    address with the prefix swapped, since slugs are the same in every language
    and no address pattern is translated. This keeps a routable page's sub-page
    (a theme) and the query of a search. Django's ``translate_url`` would resolve
    and reverse the address once per language; where the address is not this
    language's, it decides."""
    if full_path.startswith(f"/{current}/"):
        try:
            resolve(urlsplit(full_path).path)
        except Resolver404:
            pass
        else:
            return lambda code: with_prefix(full_path, current, code)
    return lambda code: translate_url(full_path, code)


@register.simple_tag(takes_context=True)
def localized_pageurl(context, page, route=None, *args) -> str:
    """The address of ``page`` in the visitor's language, whether or not it is
    translated (see directory/links.py); ``route`` and ``args`` name a sub-page
    of a routable page. Every link to a page goes through this tag."""
    if page is None:
        return ""
    return page_url(page, request=context.get("request"), route=route, args=args)


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context) -> list[dict]:
    """The page's ancestors below the home page, each in the visitor's
    language where translated (else in Dutch, with ``lang`` set), each linked
    to its address in her language."""
    page = context.get("page")
    if not isinstance(page, Page):
        return []
    request = context.get("request")
    locale = Locale.get_active()
    trail = []
    # The routing read the ancestors, and their translations on the way.
    ancestors = per_request.known_ancestors(page)
    if ancestors is None:
        ancestors = page.get_ancestors()
    for ancestor in ancestors[1:]:
        shown = ancestor
        if ancestor.locale_id != locale.pk:
            shown = (
                per_request.known_translation(ancestor, locale)
                or ancestor.get_translation_or_none(locale)
                or ancestor
            )
            if not shown.live:
                shown = ancestor
        trail.append(
            {
                "title": shown.title,
                "url": page_url(shown, request=request),
                "lang": _lang_attributes(language_of(shown, request)),
            }
        )
    return trail


def _lang_attributes(language: str) -> str:
    """` lang="nl"` (and `dir="ltr"` on a right-to-left page) for text in
    ``language`` on a page in another one: WCAG 3.1.2 wants such a part
    marked, so a screen reader reads Dutch with a Dutch voice. Empty when the
    text is in the visitor's language."""
    current = get_language()
    if language == current:
        return ""
    direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
    if direction != ("rtl" if get_language_info(current)["bidi"] else "ltr"):
        return mark_safe(f' lang="{language}" dir="{direction}"')  # noqa: S308 - no user input
    return mark_safe(f' lang="{language}"')  # noqa: S308 - no user input


@register.simple_tag(takes_context=True)
def text_language(context, item=None) -> str:
    """The ``lang`` (and ``dir``) attributes for text of ``item`` (a page)
    when it is not in the visitor's language: a Dutch page shown because it
    has no translation yet. Without ``item``: text that stays Dutch in every
    translation, such as location names and notes on opening hours, which are
    not translatable. Empty when the text is in her language."""
    if isinstance(item, Page):
        return _lang_attributes(language_of(item, context.get("request")))
    return _lang_attributes(settings.LANGUAGE_CODE)


def _label_table(context):
    """The page's one table of opening labels. Kept in the root of the render
    context: shared by the page's template, the one it extends and every
    include, and new for each page rendered."""
    from directory import opening as hours

    root = context.render_context.dicts[0]
    return root.setdefault("directory_opening_labels", hours.LabelTable())


@register.simple_tag(takes_context=True)
def opening(context, service, location=None) -> dict | None:
    """Whether ``service`` (or one ``location`` of it) is open now, and the
    moments of the coming week for the script that keeps a cached page right
    (see directory/opening.py); their labels go once into the page's table
    (``opening_labels``). None when no hours are known: then the card says
    nothing about it."""
    from directory import opening as hours

    # A service listed under two themes of a wijk shows the same line twice:
    # worked out once per page rendered.
    # (Unsaved sample services, as in the style guide, have no key: each its own.)
    known = context.render_context.dicts[0].setdefault("directory_opening_schedules", {})
    key = (service.pk, getattr(location, "hsds_id", None) if location else None)
    if service.pk is None:
        labels = hours.schedule(service, location=location or None)
    else:
        if key not in known:
            known[key] = hours.schedule(service, location=location or None)
        labels = known[key]
    if not labels:
        return None
    return {"now": labels[0], "schedule": _label_table(context).moments(labels)}


@register.simple_tag(takes_context=True)
def opening_labels(context) -> str:
    """The page's opening labels as a JSON <script> element, after the last
    line that uses them; nothing on a page without one."""
    table = context.render_context.dicts[0].get("directory_opening_labels")
    if table is None or not table.numbers:
        return ""
    return mark_safe(  # noqa: S308 - the JSON is escaped
        '<script type="application/json" id="ww-opening-labels">'
        + table.json().translate(_JSON_SCRIPT_ESCAPES)
        + "</script>"
    )


@register.simple_tag
def route_links(location) -> dict | None:
    """How to get to ``location``: a ``geo:`` URI that phones open in their
    own maps app, and a plain link to a route planner for desktops
    (``ROUTE_URL_TEMPLATE``). Plain links: nothing is loaded from another
    host until the visitor follows one. None without coordinates."""
    from urllib.parse import quote

    if location.latitude is None or location.longitude is None:
        return None
    lat, lon = f"{location.latitude:.6f}", f"{location.longitude:.6f}"
    label = quote(str(location), safe="")
    return {
        "geo": f"geo:{lat},{lon}?q={lat},{lon}({label})",
        "web": settings.ROUTE_URL_TEMPLATE.format(lat=lat, lon=lon),
    }


def _map_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@register.simple_tag
def location_map(location, wijken) -> str:
    """The map data of one location (its marker and its wijk's outline) as JSON
    for a ``data-ww-map`` attribute; empty without coordinates."""
    from directory.maps import location_map as data_of

    data = data_of(location, wijken)
    return _map_json(data) if data else ""


@register.simple_tag(takes_context=True)
def results_map(context, hits) -> str:
    """The map data of a page of search results as JSON: each location a
    marker linked to its service in the visitor's language."""
    from directory.maps import results_map as data_of

    return _map_json(data_of((hit.service for hit in hits), request=context.get("request")))


@register.simple_tag
def channel_contact(channel) -> dict | None:
    """The link and the text of a channel's value: ``tel:`` and the number as
    residents write it, a wa.me link, ``mailto:``, the video call's address.
    None for a channel without a value (a desk, an interpreter)."""
    from phonenumber_field.phonenumber import to_python

    from directory.choices import ChannelKind

    if not channel.value:
        return None
    if channel.kind in (ChannelKind.PHONE, ChannelKind.WHATSAPP):
        number = to_python(channel.value, region=settings.PHONENUMBER_DEFAULT_REGION)
        if number is None or not number.is_valid():
            return {"href": "", "text": channel.value}
        href = (
            whatsapp_link(number)
            if channel.kind == ChannelKind.WHATSAPP
            else f"tel:{number.as_e164}"
        )
        return {"href": href, "text": national(number)}
    if channel.kind == ChannelKind.EMAIL:
        return {"href": f"mailto:{channel.value}", "text": channel.value}
    return {"href": channel.value, "text": channel.value}
