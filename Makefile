# make run   - set everything up and start the app (http://127.0.0.1:7860)
# make test  - set up what the tests need (Python packages, Debian chromium/espeak-ng) and run them all
# make test-fast - the fast lane for the edit-test loop: the tests that load no real model, serve no app, drive no
#              browser and start no Python (pytest -m fast; tests/conftest.py sorts them); sets up first if torch & co are missing
# make screenshot - refresh docs/screenshot.png through the browser test
PYTHON ?= python3
# Python caches the package's bytecode and pytest its rewritten test modules (__pycache__, git-ignored) from one run
# to the next, and to every Python a test starts: where the environment turns that off (PYTHONDONTWRITEBYTECODE=1),
# collecting the fast lane took 12.6 s in place of 6.0 s, each run (2026-12-07, this 2-core machine)
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run setup-test test test-fast screenshot

setup:
	$(PYTHON) -m pip install -q -r requirements.txt

run: setup
	$(PYTHON) app.py

setup-test:
	$(PYTHON) -m pip install -q -r requirements-dev.txt
	@command -v chromium >/dev/null && command -v espeak-ng >/dev/null && fc-list 2>/dev/null | grep -qi "noto sans cjk" \
	  && test -d /usr/share/pocketsphinx/test/data/librivox || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium espeak-ng sox fonts-noto-cjk \
	   pocketsphinx-testdata >/dev/null)

# the whole suite in three parts: the fast lane's tests on two pytest-xdist workers (one per core); the rest on two
# workers too: on one the tests that serve an app or drive a browser, one after another (tests/conftest.py groups
# them), on the other the real weights and fresh Pythons; then the ones marked alone (Ray clusters) one at a time.
# Fails when any part fails, and runs each whatever the one before gave (PYTEST_ARGS: more arguments for all three,
# "-k name"; a part that it leaves no test in passes)
test: setup-test
	@rc=0; export OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE}; \
	$(PYTHON) -m pytest -q -m fast -n 2 $(PYTEST_ARGS) || { c=$$?; [ $$c -eq 5 ] || rc=$$c; }; \
	$(PYTHON) -m pytest -q -m "not fast and not alone" -n 2 --dist loadgroup $(PYTEST_ARGS) || \
	  { c=$$?; [ $$c -eq 5 ] || rc=$$c; }; \
	$(PYTHON) -m pytest -q -m "not fast and alone" $(PYTEST_ARGS) || { c=$$?; [ $$c -eq 5 ] || rc=$$c; }; \
	exit $$rc

# torch's idle OpenMP threads sleep instead of spinning (OMP_WAIT_POLICY=PASSIVE): on a busy 2-core machine the
# fast lane took half the time (37 s vs 83 s, 15 s vs 29 s of CPU, for the same tests); two pytest-xdist workers, one
# per core, took 53-55 s where one process took 73-77 s (2026-12-07, the same 688 tests on this machine)
test-fast:
	@$(PYTHON) -c "import importlib.util as u, sys; sys.exit(not all(map(u.find_spec, ('torch', 'captum', 'gradio', 'pytest', 'xdist'))))" \
	  || $(MAKE) setup-test
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-PASSIVE} $(PYTHON) -m pytest -q -m fast -n 2

screenshot: setup-test  # refresh docs/screenshot.png with the browser test (lite preset)
	MSA_SCREENSHOT=docs/screenshot.png $(PYTHON) -m pytest -q tests/test_browser.py
