"""Logging in and out on the public site, for professionals who see contact persons."""

from django.contrib.auth import views as auth_views


class ProfessionalLoginView(auth_views.LoginView):
    template_name = "coalition/login.html"
    redirect_authenticated_user = True


class ProfessionalLogoutView(auth_views.LogoutView):
    next_page = "/"
