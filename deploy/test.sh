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
# Without, three lanes at once (1,013 s in the last full run; moving the board test beside the alert
# scenario made it 1,406 s: with Chromium, three CPU-bound lanes on two cores):
# - lane A: the alert scenario (minutes of wall clock on a light simulator, little CPU);
# - lane C: the evaluation (CPU), then the fault suite, which restarts only a PostgreSQL cluster and a
#   broker of its own;
# - lane B: the unit specs, then every other integration file, one at a time.
# Every integration file has its own topics and database, so lanes share the services without meeting.
# Lanes A's and C's output goes to logs printed when all are done, so no lane interleaves another.
BACKGROUND_LANES=("test/alerts.test.ts" "test/eval.test.ts test/chaos.test.ts")
LANE_NAMES=(a c)
if [ "$#" -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/test-results.json "$@" || status=$?
  reports=(artifacts/test-results.json)
else
  rm -f artifacts/test-results-*.json
  pids=()
  excludes=()
  reports=(artifacts/test-results-unit.json artifacts/test-results-integration.json)
  for i in "${!BACKGROUND_LANES[@]}"; do
    read -r -a files <<<"${BACKGROUND_LANES[$i]}"
    name=${LANE_NAMES[$i]}
    for file in "${files[@]}"; do excludes+=(--exclude "$file"); done
    reports+=("artifacts/test-results-lane-$name.json")
    (
      npx vitest run --project integration --reporter=default --reporter=json \
        --outputFile.json="artifacts/test-results-lane-$name.json" "${files[@]}" >"artifacts/test-lane-$name.log" 2>&1
    ) &
    pids+=($!)
  done
  lane_b=0
  npx vitest run --project unit --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-unit.json || lane_b=$?
  npx vitest run --project integration --reporter=default --reporter=json \
    --outputFile.json=artifacts/test-results-integration.json "${excludes[@]}" || lane_b=$?
  [ "$lane_b" -eq 0 ] || status=$lane_b
  for i in "${!pids[@]}"; do
    lane_status=0
    wait "${pids[$i]}" || lane_status=$?
    echo "test: lane ${LANE_NAMES[$i]^^} (${BACKGROUND_LANES[$i]}), its output:" >&2
    cat "artifacts/test-lane-${LANE_NAMES[$i]}.log"
    [ "$lane_status" -eq 0 ] || status=$lane_status
  done
fi
echo "test: wall time $(($(date +%s) - started)) s for the tests, $(($(date +%s) - script_started)) s with install, build and services" >&2
node scripts/test-summary.mjs "${reports[@]}" || status=1
exit "$status"
