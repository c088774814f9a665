"""Who may see what: nobody without an account, and nobody at all until the first account exists."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse


class FirstRunMiddleware:
    """While no user exists, every request (but /setup/ and static files) goes to /setup/.

    A logged-in request costs nothing: its user proves that one exists. Only anonymous
    requests ask the database, with one `EXISTS` query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            setup = reverse("setup")
            static = "/" + settings.STATIC_URL.lstrip("/")
            if request.path != setup and not request.path.startswith(static) and not get_user_model().objects.exists():
                return redirect(setup)
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's own, except that the admin's views keep sending visitors to the admin's login."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and "admin" in match.namespaces:
            return None  # AdminSite.admin_view checks the user and redirects to /admin/login/
        return super().process_view(request, view_func, view_args, view_kwargs)
