#!/usr/bin/env bash
# Fuzzes each reader (docs/security.md) for SECONDS seconds (default 5), one target after the other, one JVM
# each (Jazzer fuzzes one target per JVM), offline.
#   scripts/fuzz.sh                        # what CI runs: 5 s per target
#   scripts/fuzz.sh 600                    # a longer campaign: 10 min per target
#   scripts/fuzz.sh 60 AdapterFuzzTest     # one target
# A finding fails the run: the stack trace is printed and the input is written to arbooth-core/crash-<sha1>.
# The corpus grows in arbooth-core/.cifuzz-corpus/ (ignored by git) and is reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-5}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(SafeTensorsFuzzTest TorchCheckpointFuzzTest ImageLoaderFuzzTest AdapterFuzzTest BaseModelFuzzTest)
fi
export DJL_OFFLINE=true OPT_OUT_TRACKING=true JAZZER_FUZZ=1
# compiles arbooth-core and its tests when needed (quick when `mvn verify` ran before)
mvn -B -ntp -q test-compile -pl arbooth-core
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
for t in "${TARGETS[@]}"; do
  echo "== fuzzing ${t} for ${SECONDS_PER_TARGET} s"
  # -max_total_time overrides the @FuzzTest maxDuration (the first libFuzzer argument is only argv[0]);
  # the readers' WARN logs (unreadable EXIF of mutated images...) are silenced.
  if ! nice mvn -B -ntp -q surefire:test -pl arbooth-core -Dtest="${t}" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="${SECONDS_PER_TARGET}" \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=error >"$LOG" 2>&1; then
    grep -v '^INFO: ' "$LOG" | tail -n 80
    echo "fuzzing ${t}: FAILED (see above; crash inputs in arbooth-core/)"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$LOG" || true
done
echo "fuzzing: all targets clean"
