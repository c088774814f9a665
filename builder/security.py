"""Hardening that Django and its add-ons leave to the project.

- `BodySizeLimitMiddleware`: a request whose Content-Length is over `MAX_REQUEST_BYTES` is answered
  413 before anything reads its body (Django's DATA_UPLOAD_MAX_MEMORY_SIZE only covers form fields,
  not file uploads nor the API's raw XML); the server, not the application, closes the connection.
- `AxesBackend`: django-axes' login rate limiting, except that an `authenticate()` call made without
  a request (the test client's `login()`, a management command) is left to the next backend instead
  of raising: there is no client to count failures for.
- `client_ip`: the address axes counts failures for; behind `PROXY_COUNT` trusted proxies it is the
  address the nearest of them saw, from X-Forwarded-For, not the proxy's own.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

API_PREFIX = "/api/"


class BodySizeLimitMiddleware:
    """413 for a body declared larger than MAX_REQUEST_BYTES, without reading a byte of it.

    A body without Content-Length (chunked) is not read by Django at all (WSGI gives it an empty
    body), so only the declared length needs checking here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, length, limit)
        return self.get_response(request)


def too_large(request, length: int, limit: int) -> HttpResponse:
    message = (
        f"The request body is {length} bytes, over the limit of {limit} bytes ({limit // (1024 * 1024)} MiB). "
        "Send fewer or smaller files at a time."
    )
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"error": message}, status=413)
    else:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request too large</title></head>'
            f'<body><h1>Request too large</h1><p class="problem error">{escape(message)}</p></body></html>'
        )
        response = HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
    # No `Connection: close`, although the unread body spoils the connection: PEP 3333 leaves
    # hop-by-hop headers to the server. wsgiref (runserver) turns one into a 500; gunicorn drops it and
    # closes by itself (the sync worker after every request, gthread when the rest of the body is over
    # 64 KiB); runserver reads the rest of the body before its next request.
    # The length is given here, as CommonMiddleware (below) never sees this response: without it
    # runserver ends the answer by closing, which it does only after reading the whole declared body.
    response["Content-Length"] = str(len(response.content))
    return response


class AxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    # Each trusted proxy appends the address it saw: the client is `proxies` entries from the right.
    if len(hops) >= proxies:
        return hops[-proxies]
    return remote
