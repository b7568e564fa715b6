"""Public views of the coalition: logging in and out for professionals, and
residents' suggestions ("Klopt er iets niet?")."""

import datetime

from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from directory.models import ServicePage
from wijkwijzer.throttling import limited

from . import suggestions
from .forms import SuggestionForm


class ProfessionalLoginView(auth_views.LoginView):
    template_name = "coalition/login.html"
    redirect_authenticated_user = True


class ProfessionalLogoutView(auth_views.LogoutView):
    next_page = "/"


STAMP_MESSAGES = {
    "invalid": lambda: _("This form could not be checked. Please send it again."),
    "too_fast": lambda: _(
        "That was very quick. Please read your text once more and send it again."
    ),
    "too_old": lambda: _(
        "This form was open for more than a day. Please check your text and send it again."
    ),
}


def _service(service_id: int) -> ServicePage:
    return get_object_or_404(ServicePage.objects.live().public(), id=service_id)


def _form_page(request, service, form, status=200, message=""):
    # A fresh stamp with every form shown: the time check starts again.
    if form.is_bound:
        form.data = form.data.copy()
        form.data["stamp"] = suggestions.stamp(service.id)
    else:
        form.initial["stamp"] = suggestions.stamp(service.id)
    return TemplateResponse(
        request,
        "coalition/suggestion_form.html",
        {"service": service, "form": form, "message": message},
        status=status,
    )


def _refuse(request, retry_after: int, service_id: int):
    """Too many suggestions from this address: say so on the form, keeping the text."""
    service = _service(service_id)
    again = timezone.localtime() + datetime.timedelta(seconds=retry_after)
    response = _form_page(
        request,
        service,
        SuggestionForm(request.POST),
        status=429,
        message=_(
            "We received several suggestions from your connection in a short time. "
            "Please send it again after %(time)s."
        )
        % {"time": again.strftime("%H:%M")},
    )
    response["Retry-After"] = str(retry_after)
    return response


def _send(request, service_id: int):
    service = _service(service_id)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, service, form, status=400)
    try:
        suggestions.check_stamp(form.cleaned_data["stamp"], service.id)
    except suggestions.StampError as error:
        return _form_page(
            request, service, form, status=400, message=STAMP_MESSAGES[error.reason]()
        )
    suggestions.receive(
        service, form.cleaned_data["text"], form.cleaned_data["email"], get_language()
    )
    return redirect("suggestion_thanks", service_id=service.id)


@never_cache
def suggest(request, service_id: int):
    """The form for one service's page; only sending it counts toward the limit."""
    if request.method == "POST":
        return limited(
            "RATELIMIT_CORRECTION",
            _send,
            refuse=lambda req, retry_after: _refuse(req, retry_after, service_id),
        )(request, service_id)
    return _form_page(request, _service(service_id), SuggestionForm())


@never_cache
def thanks(request, service_id: int):
    service = _service(service_id)
    return TemplateResponse(request, "coalition/suggestion_thanks.html", {"service": service})
