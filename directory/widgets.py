"""Form widgets of the service editor."""

import json

from django import forms
from django.urls import reverse

from . import maps


class PostcodeLookupWidget(forms.TextInput):
    """The postcode, with a house number box and a button that fills in the
    location's street, city and coordinates (``directory.address_lookup``),
    and a small map with a marker at the coordinates, moved when they change,
    so the editor sees the place was found. The map is drawn by our own copy
    of Leaflet, without a background unless ``MAP_TILE_URL`` gives one (as
    the public maps, directory/maps.py): nothing is asked of another host.
    Without JavaScript it is a plain postcode box."""

    template_name = "directory/widgets/postcode_lookup.html"

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "directory/location_preview.css"]}
        js = ["vendor/leaflet/leaflet.js", "directory/address_lookup.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["lookup_url"] = reverse("directory_address_lookup")
        context["tiles"] = json.dumps(maps.tiles() or {})
        return context
