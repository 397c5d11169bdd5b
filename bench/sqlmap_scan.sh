#!/usr/bin/env bash
# Scan the search and filter parameters of the needs (and offers) lists, API and pages, with sqlmap
# (Debian's package: apt-get install sqlmap), against the app served locally on a throw-away database.
#
#   bash bench/sqlmap_scan.sh                         # SQLite under a temporary directory
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/csr_scan bash bench/sqlmap_scan.sh   # an EMPTY database
#   SQLMAP_LEVEL=5 SQLMAP_RISK=3 bash bench/sqlmap_scan.sh   # deeper (much longer)
#
# Prints sqlmap's verdict per target and exits 1 if any parameter is reported injectable.
# Not part of `make test`: it takes minutes. `make audit` runs it.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
FLASK="$ROOT/.venv/bin/flask"
SQLMAP=${SQLMAP:-sqlmap}
LEVEL=${SQLMAP_LEVEL:-3}
RISK=${SQLMAP_RISK:-2}
command -v "$SQLMAP" >/dev/null || { echo "sqlmap is not installed (apt-get install sqlmap)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/csr-sqlmap.XXXXXX)
export SECRET_KEY="sqlmap-scan-$(date +%s)"
export RATELIMIT_ENABLED=0
export DATABASE_URL=${DATABASE_URL:-sqlite:///$WORK/scan.sqlite3}
case "$DATABASE_URL" in postgres*) DBMS=PostgreSQL ;; *) DBMS=SQLite ;; esac

echo "== database: $DBMS; work files in $WORK"
"$FLASK" --app csr_hub db upgrade >"$WORK/setup.log" 2>&1
"$FLASK" --app csr_hub seed-reference >>"$WORK/setup.log" 2>&1
"$FLASK" --app csr_hub seed-demo >>"$WORK/setup.log" 2>&1

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$FLASK" --app csr_hub run --host 127.0.0.1 --port "$PORT" --no-reload >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null
BASE="http://127.0.0.1:$PORT"

# Every search and filter parameter, with a value the app accepts, so that sqlmap starts from a 200.
QUERY="q=laptop&category=devices&district=p50-1&province=50&quality_group=core&urgency=normal&sort=newest&status=open&page=1&per_page=20"
OFFER_QUERY="q=laptop&category=devices&district=p50-1&province=50&sort=newest&status=open&page=1&per_page=20"
TARGETS=(
  "$BASE/api/v1/needs?$QUERY"
  "$BASE/needs?$QUERY"
  "$BASE/api/v1/offers?$OFFER_QUERY"
  "$BASE/offers?$OFFER_QUERY"
)

found=0
for url in "${TARGETS[@]}"; do
  name=$(echo "$url" | sed -E 's#^https?://[^/]+##; s#\?.*##; s#/#_#g')
  log="$WORK/sqlmap$name.log"
  echo "== sqlmap on ${url#$BASE} (level $LEVEL, risk $RISK)"
  start=$(date +%s)
  "$SQLMAP" -u "$url" --batch --level="$LEVEL" --risk="$RISK" --dbms="$DBMS" --technique=BEUSTQ \
    --threads=4 --flush-session --output-dir="$WORK/out" --disable-coloring -v 1 >"$log" 2>&1 || true
  requests=$(grep -c . "$WORK/server.log" || true)
  verdicts=$(grep -E "all tested parameters do not appear to be injectable|appears to be .*injectable|is vulnerable|identified the following injection point|might be injectable|CRITICAL" "$log" | sort -u || true)
  echo "   $(( $(date +%s) - start )) s; server log has $requests lines"
  echo "${verdicts:-   (no verdict line: see $log)}" | sed 's/^/   /'
  if grep -qE "identified the following injection point|is vulnerable|appears to be '.*' injectable" "$log"; then
    found=1
  fi
done

errors=$(grep -c " 500 " "$WORK/server.log" || true)
echo "== server answered 500 to $errors requests during the scan"
if [ "$found" = 1 ]; then
  echo "== RESULT: sqlmap reports an injection point (logs in $WORK)"; exit 1
fi
echo "== RESULT: no injectable parameter found (logs in $WORK)"
