"""Django settings. Everything that differs between a laptop and a server comes from the environment.

DATABASE_URL   default: SQLite file db.sqlite3 in the project folder
SECRET_KEY     required when DEBUG is off
DEBUG          default: on (a laptop); set DEBUG=false in production
ALLOWED_HOSTS  comma-separated; default: localhost names when DEBUG is on
LIBVIRT_SCHEMA_DIR   folder with libvirt's domain.rng (default /usr/share/libvirt/schemas)
MAX_XML_BYTES  largest domain XML accepted (default 1 MiB)
LIBVIRT_TIMEOUT  seconds a libvirt host gets to answer a push or a query (default 30)
"""

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "builder.accounts.middleware.FirstRunMiddleware",
    "builder.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "builder.library.revisions.RevisionMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
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
