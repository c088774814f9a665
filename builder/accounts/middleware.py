"""Who may see what: nobody without an account, and nobody at all until the first account exists."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse

# The HTTP API (builder.api) authenticates by token and answers 401 JSON itself: a redirect to an
# HTML page would mean nothing to a script.
API_PREFIX = "/api/"
# ... but its docs page is a page of the site, for a logged-in browser.
API_PAGES = {"openapi-view"}


class FirstRunMiddleware:
    """While no user exists, every request (but /setup/, static files and the API) goes to /setup/.

    A logged-in request costs nothing: its user proves that one exists. Only anonymous
    requests ask the database, with one `EXISTS` query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            setup = reverse("setup")
            static = "/" + settings.STATIC_URL.lstrip("/")
            exempt = request.path == setup or request.path.startswith((static, API_PREFIX))
            if not exempt and not get_user_model().objects.exists():
                return redirect(setup)
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's own, except that the admin's views keep sending visitors to the admin's login, and
    the API's endpoints (not its docs page) check their token themselves."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and "admin" in match.namespaces:
            return None  # AdminSite.admin_view checks the user and redirects to /admin/login/
        if match is not None and request.path.startswith(API_PREFIX) and match.url_name not in API_PAGES:
            return None  # the API's own token check answers
        return super().process_view(request, view_func, view_args, view_kwargs)
