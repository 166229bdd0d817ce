#!/usr/bin/env bash
# Every measurement BENCHMARKS.md reports, one `npm run bench` per size and server, each saved as
# JSON under $OUT (so an interrupted matrix keeps what it measured), then BENCHMARKS.md written
# from all of them. The emulator and each real server run as parallel jobs: they are different
# servers, but they share this machine's cores (the report gives the load of every setting).
#
#   scripts/bench-matrix.sh                 # everything
#   ONLY=real-3.43 scripts/bench-matrix.sh  # one job: emulator, emulator-before, real-3.23, real-3.43, real-3.116
#   REPORT_ONLY=1 scripts/bench-matrix.sh   # write BENCHMARKS.md from what $OUT holds
#
# BEFORE_CLI is the pulpform CLI of the build to compare with (before the shared task poller and the
# YAML parse in pieces), built e.g. with
#   git archive 07e7829 | tar -x -C /tmp/perf-before && cd /tmp/perf-before && ln -s "$OLDPWD/node_modules" && npx tsc -p tsconfig.build.json
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/runs}
BEFORE_CLI=${BEFORE_CLI:-/tmp/perf-before/dist/cli/main.js}
ANALYSIS=${ANALYSIS:-bench/analysis.md}
SERVER_323=${SERVER_323:-http://127.0.0.1:24917}
SERVER_343=${SERVER_343:-http://127.0.0.1:24927}
SERVER_3116=${SERVER_3116:-http://127.0.0.1:24937}
mkdir -p "$OUT"
BENCH="node bench/.out/bench/main.js"

# One measurement: skipped when its JSON exists (delete it to measure again).
measure() {
  local name=$1
  shift
  if [[ -s "$OUT/$name.json" ]]; then
    echo "$(date -u +%T) $name: kept from an earlier run" >&2
    return
  fi
  echo "$(date -u +%T) $name: $(uptime)" >&2
  if $BENCH "$@" --out "$OUT/$name.md" --json "$OUT/$name.json.part" 2> "$OUT/$name.log"; then
    mv "$OUT/$name.json.part" "$OUT/$name.json"
  else
    echo "$(date -u +%T) $name failed: see $OUT/$name.log" >&2
  fi
}

job() {
  case $1 in
    emulator)
      measure emulator-rocky9 --sizes rocky9
      measure emulator-x10 --sizes x10
      measure emulator-10k --sizes 10k ;;
    emulator-before)
      measure before-emulator-rocky9 --sizes rocky9 --no-baseline --cli "$BEFORE_CLI"
      measure before-emulator-x10 --sizes x10 --no-baseline --cli "$BEFORE_CLI"
      measure before-emulator-10k --sizes 10k --no-baseline --cli "$BEFORE_CLI" ;;
    real-3.23)
      measure real-3.23-rocky9 --server "$SERVER_323" --sizes rocky9 --runs 1
      measure before-real-3.23-rocky9 --server "$SERVER_323" --sizes rocky9 --runs 1 --no-baseline --cli "$BEFORE_CLI" ;;
    real-3.43 | real-3.116)
      local server=$SERVER_343
      [[ $1 == real-3.116 ]] && server=$SERVER_3116
      measure "$1-rocky9" --server "$server" --sizes rocky9 --runs 1
      measure "$1-x10" --server "$server" --sizes x10 --runs 1
      measure "before-$1-rocky9" --server "$server" --sizes rocky9 --runs 1 --no-baseline --cli "$BEFORE_CLI"
      measure "before-$1-x10" --server "$server" --sizes x10 --runs 1 --no-baseline --cli "$BEFORE_CLI" ;;
    *) echo "unknown job $1" >&2; return 2 ;;
  esac
}

if [[ -z ${REPORT_ONLY:-} ]]; then
  npm run --silent build
  npm run --silent bench:build
  jobs=${ONLY:-emulator real-3.23 real-3.43 real-3.116 emulator-before}
  for name in $jobs; do job "$name" & done
  wait
fi

list() { find "$OUT" -maxdepth 1 -name "$1" -size +0 | sort | paste -sd, -; }
after=$(list '[er]*.json')
before=$(list 'before-*.json')
[[ -n $after ]] || { echo "nothing measured yet in $OUT" >&2; exit 0; }
$BENCH --from-json "$after" ${before:+--before "$before"} ${ANALYSIS:+$( [[ -f $ANALYSIS ]] && echo --analysis "$ANALYSIS")} --out BENCHMARKS.md
