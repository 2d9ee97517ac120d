#!/usr/bin/env bash
# Long fuzzing: tools/Fuzz/run.sh TARGET SECONDS, or run.sh all SECONDS (each target in turn; run.sh list: the targets)
# With afl-fuzz on PATH (apt-get install afl++), AFL++ drives the target through SharpFuzz: the
# project's assemblies are instrumented for coverage, the corpus is the target's seeds and kcat
# captures. Without it, the in-process mutation fuzzer runs instead (not coverage-guided).
# Crashes and hangs land in tools/Fuzz/findings/TARGET; each one fixed becomes a file in
# tools/Fuzz/regressions/TARGET, which CI replays.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: run.sh TARGET|all SECONDS | run.sh list}"
seconds="${2:-600}"
work="$here/afl-out"
bin="$work/bin"

dotnet publish "$here/KafkaNative.Fuzz.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null
fuzz() { dotnet "$bin/KafkaNative.Fuzz.dll" "$@"; }
if [ "$target" = list ]; then fuzz list; exit 0; fi

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "afl-fuzz not found (apt-get install afl++): running the in-process mutation fuzzer for ${seconds}s" >&2
  fuzz run "$target" "$seconds"; exit $?
fi

# SharpFuzz's instrumenter, from NuGet as a local tool. It rewrites assemblies in place, and the
# rewritten code only runs under afl-fuzz (it writes to AFL's shared memory), so it gets its own copy.
tools="$work/tools"
[ -x "$tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
instrumented="$work/bin-afl"
rm -rf "$instrumented"
cp -r "$bin" "$instrumented"
for assembly in Protocol Client Consumer Sim; do "$tools/sharpfuzz" "$instrumented/KafkaNative.$assembly.dll" >/dev/null; done

fuzz_one() {
  local target="$1" in out stats execs crashes hangs edges findings
  in="$work/$target/in"; out="$work/$target/out"
  rm -rf "$in" "$out"
  fuzz seeds "$target" "$in"
  # No CPU pinning (shared machine); dotnet is not an AFL-compiled binary, SharpFuzz speaks the forkserver protocol itself.
  export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
  afl-fuzz -i "$in" -o "$out" -t 10000 -m none -V "$seconds" -- dotnet "$instrumented/KafkaNative.Fuzz.dll" afl "$target" >"$work/$target/afl.log" 2>&1 || {
    echo "afl-fuzz failed; see $work/$target/afl.log" >&2; tail -20 "$work/$target/afl.log" >&2; return 1; }
  
  stats="$out/default/fuzzer_stats"
  execs=$(awk -F': *' '$1 ~ /^execs_done/ {print $2}' "$stats")
  crashes=$(awk -F': *' '$1 ~ /^saved_crashes/ {print $2}' "$stats")
  hangs=$(awk -F': *' '$1 ~ /^saved_hangs/ {print $2}' "$stats")
  edges=$(awk -F': *' '$1 ~ /^edges_found/ {print $2}' "$stats")
  findings="$here/findings/$target"
  mkdir -p "$findings"
  for f in "$out"/default/crashes/id:* "$out"/default/hangs/id:*; do [ -e "$f" ] && cp "$f" "$findings/"; done
  echo "$target: $execs executions in ${seconds}s (AFL++), $edges edges, $crashes crashes, $hangs hangs -> $findings"
  [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
}

if [ "$target" = all ]; then
  status=0
  for t in $(fuzz list); do fuzz_one "$t" | tee -a "$work/summary.txt" || status=1; done
  exit $status
fi
fuzz_one "$target"
