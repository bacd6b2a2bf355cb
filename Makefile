# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make demo   - set up .venv and build the bundled sample briefing (offline)
#   make test   - set up .venv (with test extras) and run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEB_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils

.PHONY: demo test venv system-deps browser-deps clean

demo: venv
	$(BIN)/digest run --sample

test: venv
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m pytest

venv: $(BIN)/digest system-deps

$(BIN)/digest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

# WeasyPrint needs Pango; tests use pdftotext/pdftoppm. Installed with apt when
# missing and allowed (root, or sudo without a password); otherwise say what to run.
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "digest needs these Debian packages:$$missing"; \
	       echo "install them with: sudo apt-get install -y --no-install-recommends$$missing"; exit 1; fi; \
	fi

# The site test loads the built site in Debian's chromium (headless). Installed
# with apt when missing and allowed; otherwise that test skips with the reason.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) \
	      || echo "could not install chromium; the browser test will be skipped"; \
	  elif sudo -n true 2>/dev/null; then (sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends chromium) \
	      || echo "could not install chromium; the browser test will be skipped"; \
	  else echo "chromium is not installed and cannot be installed here; the browser test will be skipped"; \
	       echo "install it with: sudo apt-get install -y --no-install-recommends chromium"; fi; \
	fi

clean:
	rm -rf $(VENV) output/*/ output/*.db*
