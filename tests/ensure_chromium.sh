#!/bin/sh
# Install Debian's headless-capable Chromium for tests/test_browser.py when it is
# missing and we can (root with apt-get); otherwise do nothing: the browser test
# then skips and says why. Safe to run every time.
set -u
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: installing chromium with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || echo "ensure_chromium: could not install chromium; the browser test will skip" >&2
else
    echo "ensure_chromium: /usr/bin/chromium missing and not root with apt-get; the browser test will skip" >&2
fi
exit 0
