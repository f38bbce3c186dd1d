#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis that Zgoda needs on a Debian/Ubuntu host, when they are not running.
# (With Docker elsewhere: `docker compose up -d` with the docker-compose.yml beside the README.)
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and pg_ctlcluster is not available: start it yourself." >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
echo "PostgreSQL and Redis are up."

# The browser tests (test/web, test/console) drive Debian's Chromium through playwright-core; the PDF documents
# (register, UODO breach notification) embed DejaVu, which covers Polish letters.
MISSING=()
[ -x /usr/bin/chromium ] || MISSING+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || MISSING+=(fonts-dejavu-core)
if [ ${#MISSING[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
fi
echo "Chromium is at /usr/bin/chromium."
