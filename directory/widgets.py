"""Form widgets of the service editor."""

from django import forms
from django.urls import reverse


class PostcodeLookupWidget(forms.TextInput):
    """The postcode, with a house number box and a button that fills in the
    location's street, city and coordinates (``directory.address_lookup``).
    Without JavaScript it is a plain postcode box."""

    template_name = "directory/widgets/postcode_lookup.html"

    class Media:
        js = ["directory/address_lookup.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["lookup_url"] = reverse("directory_address_lookup")
        return context
