# Everything a newcomer or CI does. `make run` starts the web server and a
# background worker together (Ctrl-C stops both). `make run` and `make test` install what
# they need first.
PYTHON ?= python3.12
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system-deps js-deps run serve test lint format check bench clean messages

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(UV) sync --frozen --inexact -q
	@touch $@

install: $(VENV)/.installed system-deps js-deps

# axe-core for the browser tests' accessibility checks (npm registry).
js-deps:
	@scripts/js-deps

# pdftotext (poppler-utils) reads PDFs back in tests; WeasyPrint needs Pango.
system-deps:
	@scripts/system-deps

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	PY=$(PY) scripts/run-dev

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q --severity-level high -c pyproject.toml -r config pupils providers consent sharing
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Migrations match the models; the deploy checklist is clean under
# production-like settings.
check: install
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=school.example ALLOW_SQLITE_IN_PRODUCTION=true EMAIL_URL=smtp+tls://mail.school.example:587 FIELD_ENCRYPTION_KEYS=$$($(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The parents' pages' translations (docs/translations.md): collect their
# strings into locale/<code>/LC_MESSAGES/django.po (every language, or a new
# one with `make messages LOCALE=cy`), then compile the .mo files. Staff-only
# code and templates are left out: the staff site is in English. Of sharing,
# only the families' forms and e-mails are collected (sharing/rights/
# public_forms.py and mail.py, templates/sharing/): `sharing/[!r]*` leaves
# out every folder and file of sharing but those starting with r (fnmatch;
# `*` spans folders), and the others starting with r are named one by one.
MESSAGES_IGNORE := tests bench docs scripts static staticfiles locale config pupils \
  sharing/[!r]* sharing/retention.py sharing/registers sharing/rights/[!mp]* sharing/rights/models.py \
  sharing/rights/portability.py sharing/rights/public_views.py \
  admin management migrations admin.py consent/models.py consent/staff.py consent/reports.py \
  consent/demo.py consent/apps.py providers/services.py providers/notice.py providers/demo.py \
  providers/criteria.py providers/risk.py providers/review.py providers/apps.py \
  providers/dpia.py providers/purposes.py providers/policy.py consent/tasks.py
messages: install
	$(PY) manage.py makemessages $(if $(LOCALE),--locale=$(LOCALE),--all) --no-obsolete \
	  --add-location=file $(addprefix --ignore=,$(MESSAGES_IGNORE))
	$(PY) manage.py compilemessages --ignore=.venv --ignore=tests

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
