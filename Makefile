# Two commands matter: `make run` (the site with demo content) and `make test`
# (everything CI checks). Both install what they need first.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run cluster test test-sqlite test-postgres test-browser checks lint format messages engine clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Noto Sans, Arabic and Ethiopic faces with the smaller cuts for page text and for
# the languages' own names (see the script); rebuilt when the lists of names change.
FONT_FACES := site/static/vendor/fonts/faces.css
$(FONT_FACES): $(VENV)/.installed node_modules/.installed scripts/build-fonts site/settings/base.py directory/seed.py
	$(PY) scripts/build-fonts

# One stylesheet: the font faces, the coalition theme's tokens (site/tokens) and the Utrecht components with
# only the rules our code uses (see the script); rebuilt when a template, our CSS or
# JavaScript or Python that writes a class changes.
SITE_CSS := site/static/vendor/site.css
CODE := $(shell find . -path ./node_modules -prune -o -path ./.venv -prune -o -path ./tests -prune -o -path ./var -prune -o -path ./site/static/vendor -prune -o \( -name '*.html' -o -name '*.py' -o -name '*.js' \) -print)
$(SITE_CSS): node_modules/.installed scripts/build-css $(FONT_FACES) site/tokens/wijkwijzer.tokens.json site/static/wijkwijzer/wijkwijzer.css $(CODE)
	$(PY) scripts/build-css

install: $(VENV)/.installed node_modules/.installed $(FONT_FACES) $(SITE_CSS)

# The OpenSearch node the tests start: Maven resolves it from Maven Central.
engine: install
	@command -v mvn >/dev/null && command -v javac >/dev/null || { echo "The search tests need Java 17 and Maven: sudo apt-get install openjdk-17-jdk-headless maven"; exit 1; }
	$(PY) -c "from tests.engine.node import build; build()"

# Compiled catalogs (.mo) are build output, never committed.
messages: install
	@command -v msgfmt >/dev/null || { echo "compilemessages needs GNU gettext: sudo apt-get install gettext (macOS: brew install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

run: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin
	$(PY) manage.py runserver 127.0.0.1:8000

# The multi-machine set-up on this machine: PostgreSQL, Redis, three OpenSearch
# nodes, two app servers and a task worker (scripts/cluster); Ctrl-C stops it.
cluster: messages engine
	$(PY) scripts/cluster

checks: messages
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=wijkwijzer.settings.production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=wijkwijzer.example CACHE_URL=redis://127.0.0.1:6379/0 $(PY) manage.py check --deploy --fail-level WARNING

# Two pytest workers (pytest-xdist) share the machine's cores; `--dist loadscope`
# keeps each module on one worker, so a module's fixture (the national geography,
# the cluster) is built once. The browser tests run after them, alone, once, in the
# SQLite run: they drive the same views the PostgreSQL run tests over HTTP.
XDIST := -n 2 --dist loadscope
# The slowest tests and set-ups of each run, at its end: where CI's time goes.
DURATIONS := --durations=15

test-sqlite: messages engine
	WIJKWIJZER_REQUIRE_BROWSER_TESTS= DATABASE_URL=sqlite:///:memory: $(PY) -m pytest $(XDIST) $(DURATIONS) --ignore=tests/browser
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest $(DURATIONS) tests/browser

# The cluster tests (tests/cluster: three OpenSearch nodes, two app servers, a task
# worker, failures) run here only, on the PostgreSQL server they copy the demo from.
test-postgres: messages engine
	WIJKWIJZER_REQUIRE_BROWSER_TESTS= WIJKWIJZER_CLUSTER_TESTS=1 scripts/with-postgres $(PY) -m pytest $(XDIST) $(DURATIONS) --ignore=tests/browser

# Only the browser tests (Debian's chromium, Playwright), on SQLite, as the
# SQLite run above includes them. Screenshots go to var/screenshots/.
test-browser: messages
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest tests/browser

test: checks test-sqlite test-postgres

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var db.sqlite3 tests/engine/target
	find locale -name '*.mo' -delete
