#!/usr/bin/env bash
# The whole test suite (`npm test`): installs dependencies when missing, builds, starts PostgreSQL,
# Kafka, Redis and Chromium (each script is idempotent), runs the unit and integration tests, and ends with
# one summary line such as "412 passed, 0 failed".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=warn
fi
echo "test: building" >&2
npm run build

# Assigned first: a service that fails to start stops the run here (set -e), not later in every test.
postgres_env=$(deploy/postgres.sh start)
kafka_env=$(deploy/kafka.sh start)
redis_env=$(deploy/redis.sh start)
chromium_env=$(deploy/chromium.sh)
eval "$postgres_env"
eval "$kafka_env"
eval "$redis_env"
eval "$chromium_env"
export DATABASE_URL KAFKA_BROKERS REDIS_URL CHROMIUM

mkdir -p artifacts
started=$(date +%s)
status=0
# The unit specs first, then the integration tests alone: those time start-ups and latencies against the
# real services, and a busy machine starved vitest's own worker calls when both ran at once. With
# arguments (`npm test -- --project integration test/x.test.ts`), one run of exactly those.
if [ "$#" -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/test-results.json "$@" || status=$?
  reports=(artifacts/test-results.json)
else
  npx vitest run --project unit --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-unit.json || status=$?
  npx vitest run --project integration --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-integration.json || status=$?
  reports=(artifacts/test-results-unit.json artifacts/test-results-integration.json)
fi
echo "test: wall time $(($(date +%s) - started)) s" >&2
node scripts/test-summary.mjs "${reports[@]}" || status=1
exit "$status"
