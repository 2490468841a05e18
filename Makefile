# make run   - set everything up and start the app (http://127.0.0.1:7860)
# make test  - set up what the tests need (Python packages, Debian chromium/espeak-ng) and run them all
# make screenshot - refresh docs/screenshot.png through the browser test
PYTHON ?= python3

.PHONY: setup run setup-test test screenshot

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

test: setup-test
	$(PYTHON) -m pytest -q

screenshot: setup-test  # refresh docs/screenshot.png with the browser test (lite preset)
	MSA_SCREENSHOT=docs/screenshot.png $(PYTHON) -m pytest -q tests/test_browser.py
