"""Where each page type may live in the tree, and the editor's path to create one."""

from django.urls import reverse

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from directory.models import (
    Audience,
    ContentPage,
    HomePage,
    Language,
    PartnerIndexPage,
    PartnerPage,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkIndexPage,
    WijkPage,
)


class PageTreeRules(WagtailPageTestCase):
    def test_home_page_holds_the_listings_and_text_pages(self):
        self.assertAllowedSubpageTypes(
            HomePage, {PartnerIndexPage, WijkIndexPage, ThemeIndexPage, ContentPage}
        )

    def test_partners_live_only_in_the_partner_index(self):
        self.assertAllowedParentPageTypes(PartnerPage, {PartnerIndexPage})

    def test_services_live_only_under_a_partner(self):
        self.assertAllowedParentPageTypes(ServicePage, {PartnerPage})
        self.assertAllowedSubpageTypes(PartnerPage, {ServicePage})

    def test_services_and_wijken_have_no_children(self):
        self.assertAllowedSubpageTypes(ServicePage, set())
        self.assertAllowedSubpageTypes(WijkPage, set())

    def test_wijken_live_only_in_the_wijk_index(self):
        self.assertAllowedParentPageTypes(WijkPage, {WijkIndexPage})

    def test_a_service_cannot_be_added_directly_under_the_home_page(self):
        self.assertCanNotCreateAt(HomePage, ServicePage)
        self.assertCanNotCreateAt(WijkIndexPage, ServicePage)


def service_form_data(wijk: WijkPage, **overrides) -> dict:
    data = {
        "title": "Formulierenhulp (test)",
        "slug": "formulierenhulp-test",
        "summary": "Hulp bij het invullen van formulieren van de gemeente.",
        "body": rich_text("<p>Neem uw brieven mee.</p>"),
        "status": "active",
        "themes": [Theme.objects.get(slug="geldzaken-en-schulden", locale=wijk.locale).pk],
        "audiences": [Audience.objects.get(slug="iedereen", locale=wijk.locale).pk],
        "languages": [Language.objects.get(code="nl").pk, Language.objects.get(code="ar").pk],
        "wijken": [wijk.pk],
        "municipalities": [],
        "locations": inline_formset(
            [
                {
                    "name": "Wijkcentrum (test)",
                    "address": "Teststraat 1",
                    "postcode": "3563ab",
                    "city": "Utrecht",
                    "latitude": "52.117",
                    "longitude": "5.113",
                }
            ]
        ),
        "opening_hours": inline_formset([{"weekday": "1", "opens": "09:00", "closes": "12:00"}]),
        "opening_hours_exceptions": inline_formset([]),
        "channels": inline_formset([]),
        "cost": "free",
        "cost_note": "",
        "access": "walk_in",
        "access_note": "",
        "phone": "030-799 9999",
        "whatsapp": "",
        "email": "test@voorbeeld.example",
        "website": "https://test.voorbeeld.example/",
        "accessibility": "",
        "last_verified": "2026-11-01",
    }
    data.update(overrides)
    # nested_form_data would number the items of a list; a multiple choice
    # field posts the same name once per chosen value instead.
    choices = {
        key: data.pop(key)
        for key in ("themes", "audiences", "languages", "wijken", "municipalities")
    }
    return {**nested_form_data(data), **choices}


class EditorCreatesAService(WagtailPageTestCase):
    def setUp(self):
        # Forced: django-axes needs the request that client.login() leaves out.
        self.client.force_login(self.create_test_user())
        self.partner = PartnerPage.objects.order_by("path").first()
        self.wijk = WijkPage.objects.get(cbs_code="WK034403")

    def test_an_editor_can_create_a_service_with_hours_and_a_location(self):
        self.assertCanCreate(self.partner, ServicePage, service_form_data(self.wijk))
        service = ServicePage.objects.get(slug="formulierenhulp-test")
        self.assertEqual(service.get_parent().pk, self.partner.pk)
        location = service.locations.get()
        self.assertEqual(location.postcode, "3563 AB")
        self.assertEqual(str(service.phone.as_e164), "+31307999999")
        self.assertEqual(service.opening_hours.get().weekday, 1)

    def test_a_rejected_form_keeps_everything_the_editor_typed(self):
        url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", self.partner.pk))
        before = Page.objects.count()
        data = service_form_data(
            self.wijk,
            summary="Dit is een samenvatting die bewaard moet blijven.",
            phone="12345",
            locations=inline_formset(
                [
                    {
                        "name": "Wijkcentrum (test)",
                        "address": "Teststraat 1",
                        "postcode": "99999",
                        "city": "Utrecht",
                        "latitude": "5.113",
                        "longitude": "52.117",
                    }
                ]
            ),
            opening_hours=inline_formset([{"weekday": "1", "opens": "12:00", "closes": "09:00"}]),
        )
        response = self.client.post(url, data)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(Page.objects.count(), before)
        content = response.content.decode()
        self.assertIn("Dit is een samenvatting die bewaard moet blijven.", content)
        self.assertIn("Teststraat 1", content)
        form = response.context["form"]
        self.assertIn("phone", form.errors)
        location_errors = form.formsets["locations"].errors[0]
        self.assertEqual(set(location_errors), {"postcode", "latitude", "longitude"})
        self.assertIn("closes", form.formsets["opening_hours"].errors[0])

    def test_a_service_must_serve_a_wijk_or_a_whole_municipality(self):
        url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", self.partner.pk))
        response = self.client.post(url, service_form_data(self.wijk, wijken=[]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("wijken", response.context["form"].errors)
        self.assertFalse(ServicePage.objects.filter(slug="formulierenhulp-test").exists())
