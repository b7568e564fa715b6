"""Small JSON helpers of the service editor."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import address_lookup


@require_GET
def find_address(request):
    """``?postcode=&number=``: the address, or why there is none. Behind the
    admin login (Wagtail's admin URLs require it)."""
    postcode = request.GET.get("postcode", "")[:20]
    number = request.GET.get("number", "")[:20]
    try:
        found = address_lookup.find(postcode, number)
    except ValidationError as error:
        messages = [message for errors in error.message_dict.values() for message in errors]
        return JsonResponse(
            {"found": None, "errors": error.message_dict, "message": " ".join(messages)},
            status=400,
        )
    if found is None:
        # 200 rather than 404: the question was fine, the answer is "nobody
        # knows" (and i18n's middleware would turn an admin 404 into a redirect).
        return JsonResponse(
            {
                "found": None,
                "message": _(
                    "No address is known for %(postcode)s %(number)s. Check the postcode and "
                    "number, or type the address and coordinates yourself."
                )
                % {"postcode": address_lookup.clean(postcode, number)[0], "number": number.strip()},
            }
        )
    if found.precision == address_lookup.POSTCODE_AREA:
        message = _(
            "Only the postcode area is known: the coordinates are the centre of %(pc4)s. "
            "Correct them to the entrance if you can, and type the street and city."
        ) % {"pc4": found.postcode[:4]}
    else:
        message = _("Found: %(street)s, %(postcode)s %(city)s.") % {
            "street": found.street,
            "postcode": found.postcode,
            "city": found.city,
        }
    return JsonResponse({"found": found.as_dict(), "message": message})
