# Solidaire — the two commands a newcomer needs:
#   make demo   install, migrate, seed and serve the demo on http://127.0.0.1:$(PORT)
#   make test   install with the dev extras and run every test (unit, integration, browser)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.9.30
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SOLIDAIRE := $(VENV)/bin/solidaire
DEMO_WELCOME := $(CURDIR)/var/demo-welcome.txt
AXE := tests/browser/node_modules/axe-core/axe.min.js
# Two workers (pytest-xdist), one test database each: the suite is CPU-bound and this machine has two cores.
PYTEST_ARGS ?= -n 2

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_LINK_MODE := copy

.PHONY: help install install-dev messages demo test test-fast test-cluster browser-deps bench lint clean

help:
	@echo "make demo   - install, seed and serve the demo on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	@echo "make test   - run every test (SQLite by default, PostgreSQL when DATABASE_URL is set)"
	@echo "make lint   - ruff"
	@echo "make test-cluster - two web processes behind nginx, two Celery workers, beat, Redis, PostgreSQL; kills some under load"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	$(MAKE) --no-print-directory messages

install-dev: $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	$(MAKE) --no-print-directory messages

# Translation catalogues are compiled at install time; .mo files are not committed.
messages:
	@command -v msgfmt >/dev/null || (apt-get install -y -qq gettext >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext))
	cd solidaire && ../$(SOLIDAIRE) compilemessages --ignore 'static' -v 0

# The demo uses the settings' defaults (database var/solidaire.sqlite3, unless DATABASE_URL says
# otherwise), so that `solidaire createsuperuser` and every command of the README act on it.
# The addresses and logins are printed last, once the server answers.
demo: install
	$(SOLIDAIRE) collectstatic --noinput -v 0
	$(SOLIDAIRE) migrate --noinput -v 0
	SOLIDAIRE_PUBLIC_PORT=$(PORT) $(SOLIDAIRE) seed-demo --welcome-file $(DEMO_WELCOME)
	SOLIDAIRE_DEFAULT_TENANT=grand-est SOLIDAIRE_PUBLIC_PORT=$(PORT) \
		$(SOLIDAIRE) serve --port $(PORT) --welcome $(DEMO_WELCOME)

# Browser tests drive Debian's Chromium (installed here when missing) and inject axe-core from npm.
browser-deps:
	@test -x /usr/bin/chromium || (echo "Installing Debian's chromium for the browser tests…" && \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)))
	@test -f $(AXE) || npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

test: install-dev browser-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Several machines, on this one (docs/adr/0026, deploy/README.md): PostgreSQL and Redis must be
# running; Debian's nginx is installed when missing, to run deploy/nginx.conf as the proxy.
test-cluster: install-dev
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get install -y -qq nginx-light >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null))
	$(VENV)/bin/python -m tests.cluster.run $(CLUSTER_ARGS)

bench: install-dev
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk))
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) $(TOOLS) var tests/browser/node_modules
