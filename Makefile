# Domain Builder: `make run` serves the app, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: python3-venv makes the virtual environment; gcc, libc6-dev, python3-dev,
# pkg-config and libvirt-dev build libvirt-python; libvirt-clients brings libvirt's schemas (and
# virsh); libvirt-doc is libvirt's own copy of the Domain XML spec (formatdomain.html); chromium
# runs the browser tests.
SYSTEM_PACKAGES := python3-venv python3-dev gcc libc6-dev pkg-config libvirt-dev libvirt-clients libvirt-doc chromium
export DEBIAN_FRONTEND := noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run serve test bench lint format sysdeps venv clean

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_starter
	$(PY) manage.py add_host "Local test driver" test:///default --description "A simulation, for trying a push" \
	  --allowed-path /var/lib/libvirt/images
	@# Form tooltips come from libvirt's own copy of the spec (Debian's libvirt-doc), when it is there.
	@f=/usr/share/doc/libvirt-doc/html/formatdomain.html; if [ -f $$f ]; then $(PY) manage.py import_spec_docs $$f; \
	  else echo "$$f not found: tooltips show the project's own summaries"; fi
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-style: gunicorn (builder/gunicorn.conf.py: a process per core, one request each) with
# whitenoise serving the collected static files, DEBUG off. Settings come from the environment (see
# builder/settings.py and docs/production.md); without SECRET_KEY a random one is kept in
# $(SECRET_FILE) (git-ignored, mode 600). On plain HTTP (the default 127.0.0.1) HTTPS is off; behind a
# TLS proxy run `make serve HTTPS=true ALLOWED_HOSTS=... SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https"`.
SECRET_FILE := .secret_key
# Database connections are kept for 60 s (DB_CONN_MAX_AGE): a new PostgreSQL connection per request
# costs more than most requests.
SERVE_ENV = DEBUG=false HTTPS="$(or $(HTTPS),false)" ALLOWED_HOSTS="$(or $(ALLOWED_HOSTS),$(HOST),localhost)" \
	DB_CONN_MAX_AGE="$(or $(DB_CONN_MAX_AGE),60)" \
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_FILE))}"
serve: venv
	@test -n "$$SECRET_KEY" || test -s $(SECRET_FILE) || { umask 077; \
	  $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_FILE); echo "made $(SECRET_FILE)"; }
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) exec $(VENV)/bin/gunicorn -c builder/gunicorn.conf.py --bind $(HOST):$(PORT) builder.wsgi

test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@# The whole suite twice: on SQLite (the default), then on PostgreSQL. tests/postgres.py installs
	@# Debian's postgresql when missing, starts its cluster when down (stopping it again afterwards),
	@# makes a role and database, and runs pytest with DATABASE_URL pointing there.
	@echo "== make test: the suite on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest
	@echo "== make test: the suite on PostgreSQL =="
	$(PY) -m tests.postgres $(PY) -m pytest

bench: venv
	$(PY) -m tests.bench

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Installs the Debian packages that are missing (as root, or through sudo). Without apt it says
# what to install and goes on: the app then runs without the libvirt parts.
sysdeps:
	@missing=""; \
	if command -v dpkg-query >/dev/null; then \
	  for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    echo "Installing Debian packages:$$missing"; \
	    $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else \
	  echo "No apt here: install $(SYSTEM_PACKAGES) (or your system's equivalents) for libvirt support."; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | sysdeps
	@# A venv left half-made by an earlier failure (no pip in it) is made again.
	@test -x $(VENV)/bin/pip || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	@if pkg-config --exists libvirt 2>/dev/null; then extras="dev,libvirt"; else \
	  extras="dev"; echo "libvirt-dev not found: installing without libvirt-python"; fi; \
	$(PY) -m pip install -q -e ".[$$extras]"
	@touch $@

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
