"""Django settings. Everything that differs between a laptop and a server comes from the environment.

DATABASE_URL   default: SQLite file db.sqlite3 in the project folder; postgres://USER:PASSWORD@HOST:PORT/NAME
SQLITE_TIMEOUT  seconds a write waits for another process's write on SQLite (default 30)
SECRET_KEY     required when DEBUG is off
DEBUG          default: on (a laptop); set DEBUG=false in production
ALLOWED_HOSTS  comma-separated; default: localhost names when DEBUG is on
LIBVIRT_SCHEMA_DIR   folder with libvirt's domain.rng (default /usr/share/libvirt/schemas)
MAX_XML_BYTES  largest domain XML accepted (default 1 MiB)
LIBVIRT_TIMEOUT  seconds a libvirt host gets to answer a push or a query (default 30)
HOST_LOCK_DIR  folder for the one-call-per-host lock files (default: domain-builder-host-locks in the
               system's temporary folder; all web processes of one server must share it)
HTTPS          the site is reached over HTTPS, directly or through a TLS proxy (default: on when DEBUG is
               off): secure cookies, redirect to https, HSTS (make serve on 127.0.0.1 turns it off)
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD
               override what HTTPS implies (31536000 s of HSTS, subdomains included, no preload)
SECURE_PROXY_SSL_HEADER  behind a TLS proxy: the header that says so, e.g. "X-Forwarded-Proto: https"
CSRF_TRUSTED_ORIGINS  comma-separated origins (https://builder.example.org) when a proxy changes the Host
PROXY_COUNT    trusted proxies in front of the app (default 0): login rate limits count the client's
               address from X-Forwarded-For instead of the proxy's
MAX_REQUEST_BYTES  largest request body (default 16 x MAX_XML_BYTES): 413 above it, unread
LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES  wrong passwords before a lock-out (5), its length (15)
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from builder.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "builder.library",
    "builder.editor",
    "builder.specdocs",
    "ninja",  # also serves swagger-ui from its own static files, not from a CDN
    "builder.api",
    "builder.hosts",
    "axes",  # login rate limiting (builder.security.AxesBackend)
    "csp",  # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above everything that may answer early (the first-run and login redirects, the 413 below).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that may read the body: 413 for one declared over MAX_REQUEST_BYTES.
    "builder.security.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "builder.accounts.middleware.FirstRunMiddleware",
    "builder.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "builder.library.revisions.RevisionMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lock-out into its page
]

ROOT_URLCONF = "builder.urls"
WSGI_APPLICATION = "builder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite (the default) or PostgreSQL (DATABASE_URL=postgres://..., through psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (app server workers) share the file: WAL lets reads go on during a write; a
    # writer waits up to `timeout` s for another one instead of failing with "database is locked";
    # IMMEDIATE takes the write lock when a transaction begins, so two transactions that read and then
    # write never deadlock upgrading their read locks (and a locked row is SQLite's whole database).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "timeout": env_int("SQLITE_TIMEOUT", 30),
        "transaction_mode": "IMMEDIATE",
    }
    # The tests' database is a file, not :memory:, so that other processes (tests/test_concurrency.py)
    # can open it; one per test run, removed at its end.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(env_str("TMPDIR", "/tmp")) / f"domain-builder-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every page needs a logged-in user (builder.accounts); the admin keeps its own login page.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "library"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# The domain XML engine
LIBVIRT_SCHEMA_DIR = env_str("LIBVIRT_SCHEMA_DIR", "/usr/share/libvirt/schemas")
MAX_XML_BYTES = env_int("MAX_XML_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_XML_BYTES + 64 * 1024
# The editor posts every field of every device: a guest with dozens of controllers and ports passes
# Django's default of 1000 fields (the body stays bounded by the size limit above).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Pushing to libvirt hosts (builder.hosts)
LIBVIRT_TIMEOUT = env_float("LIBVIRT_TIMEOUT", 30.0)
HOST_LOCK_DIR = env_str("HOST_LOCK_DIR", str(Path(tempfile.gettempdir()) / "domain-builder-host-locks"))

# -- Serving and hardening (`make serve`, builder/gunicorn.conf.py, builder/security.py) ----------------------
# Static files: whitenoise serves what `collectstatic` gathered in STATIC_ROOT, gzip-compressed beside.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Several app server processes share one database: sessions live in it (Django's default backend),
# login failures too (axes' database handler), and nothing uses a per-process cache.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# The request body: 413 above MAX_REQUEST_BYTES before it is read. The Import page takes several domain
# files (each up to MAX_XML_BYTES) or a bundle (up to 8 x MAX_XML_BYTES) in one post: 16 x leaves room
# for both, and the page's own script sends one file per request anyway.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 16 * MAX_XML_BYTES)

# HTTPS: on by default in production; `make serve` on 127.0.0.1 (plain HTTP) sets HTTPS=false.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers' built-in lists that cannot be taken back quickly: only on request.
# (check --deploy's W021 asks for it; it is not shown once HSTS is on, see SILENCED_SYSTEM_CHECKS.)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_header:
    # "X-Forwarded-Proto: https" (or "=") -> ("HTTP_X_FORWARDED_PROTO", "https")
    _name, _sep, _value = _proxy_header.replace("=", ":", 1).partition(":")
    if not _sep or not _name.strip() or not _value.strip():
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER must be 'Header: value', not {_proxy_header!r}")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF cookie stays readable by no script either: the pages take the token from the form or from
# the hx-headers attribute that base.html renders.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload is opt-in, see SECURE_HSTS_PRELOAD above

# Content-Security-Policy: scripts and styles from this site's own files only, no inline script, no
# eval (htmx is told not to use it: base.html's htmx-config), no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login rate limiting (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username from one address
# lock that pair out of the login page and the admin's for LOGIN_COOLOFF_MINUTES, the right password
# included; other users and other addresses go on. The lock-out page answers 429.
AUTHENTICATION_BACKENDS = [
    "builder.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("LOGIN_COOLOFF_MINUTES", 15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "builder.security.client_ip"
PROXY_COUNT = env_int("PROXY_COUNT", 0)
