#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian machine (JDK 17 and Maven
# are assumed), then runs every test with the Maven wrapper.
#   - Debian packages: chromium (browser test), redis-server (cluster tests), when missing.
#   - npm packages for the Node-side test peers (playwright-core, eventsource-parser).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "test.sh: missing ${need_apt[*]}; install them (apt-get install ${need_apt[*]}) or run as root" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "test.sh: installing ${need_apt[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -d test-support/node/node_modules ] || [ test-support/node/package-lock.json -nt test-support/node/node_modules ]; then
  echo "test.sh: installing Node test peers (npm ci)" >&2
  npm ci --prefix test-support/node --no-audit --no-fund --loglevel=error
fi

exec ./mvnw -B -ntp verify "$@"
