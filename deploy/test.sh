#!/usr/bin/env bash
# The whole test suite (`npm test`): installs dependencies when missing, builds, starts PostgreSQL,
# Kafka, Redis and Chromium (each script is idempotent), runs the unit and integration tests, and ends with
# one summary line such as "412 passed, 0 failed".
set -euo pipefail
cd "$(dirname "$0")/.."
script_started=$(date +%s)

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
# With arguments (`npm test -- --project integration test/x.test.ts`), one run of exactly those.
# Without, two lanes at once, one per core:
# - lane A: the two long integration files that neither time anything tight nor share a service they
#   restart: the alert scenario (minutes of wall clock on a light simulator) and the evaluation (CPU);
# - lane B: the unit specs, then every other integration file, one at a time (they time start-ups and
#   latencies against the real services).
# Lane A's output goes to a log that is printed when both are done, so neither interleaves the other.
SLOW=(test/alerts.test.ts test/eval.test.ts)
if [ "$#" -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/test-results.json "$@" || status=$?
  reports=(artifacts/test-results.json)
else
  rm -f artifacts/test-results-*.json
  (
    npx vitest run --project integration --reporter=default --reporter=json \
      --outputFile.json=artifacts/test-results-lane-a.json "${SLOW[@]}" >artifacts/test-lane-a.log 2>&1
  ) &
  lane_a=$!
  lane_b=0
  npx vitest run --project unit --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-unit.json || lane_b=$?
  excludes=()
  for file in "${SLOW[@]}"; do excludes+=(--exclude "$file"); done
  npx vitest run --project integration --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-integration.json "${excludes[@]}" || lane_b=$?
  lane_a_status=0
  wait "$lane_a" || lane_a_status=$?
  echo "test: lane A (${SLOW[*]}), its output:" >&2
  cat artifacts/test-lane-a.log
  [ "$lane_a_status" -eq 0 ] || status=$lane_a_status
  [ "$lane_b" -eq 0 ] || status=$lane_b
  reports=(artifacts/test-results-unit.json artifacts/test-results-lane-a.json artifacts/test-results-integration.json)
fi
echo "test: wall time $(($(date +%s) - started)) s for the tests, $(($(date +%s) - script_started)) s with install, build and services" >&2
node scripts/test-summary.mjs "${reports[@]}" || status=1
exit "$status"
