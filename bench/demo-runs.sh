#!/usr/bin/env bash
# Runs the README's demo N times in a row (default 100) and tallies the outcomes: how many runs
# exited non-zero (any failed, lost or duplicated record), and the longest gap between
# acknowledgements over all runs. Usage: bench/demo-runs.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
dotnet build -c Release src/Cli >/dev/null || exit 1
bad=0; worst=0
for ((i = 1; i <= runs; i++)); do
  out=$(dotnet run -c Release --no-build --project src/Cli -- demo 2>&1); code=$?
  gap=$(grep -oE 'longest gap between two acknowledgements [0-9,]+' <<<"$out" | grep -oE '[0-9,]+$' | tr -d ,)
  [ -n "$gap" ] && [ "$gap" -gt "$worst" ] && worst=$gap
  if [ "$code" -ne 0 ]; then bad=$((bad + 1)); echo "run $i exited $code:"; echo "$out" | sed 's/^/  /'; fi
done
echo "$runs demo runs: $((runs - bad)) clean, $bad not clean; longest gap between acknowledgements ${worst} ms"
[ "$bad" -eq 0 ]
