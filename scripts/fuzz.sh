#!/usr/bin/env bash
# Fuzzes each reader (docs/security.md) for SECONDS seconds (default 5), one target after the other, one JVM
# each (Jazzer fuzzes one target per JVM), offline. The readers' classes must be compiled (e.g. after
# `mvn verify`; this script runs `mvn -pl arbooth-core test-compile` first when they are not).
#   scripts/fuzz.sh            # CI: 5 s per target
#   scripts/fuzz.sh 600        # a longer campaign: 10 min per target
#   scripts/fuzz.sh 60 AdapterFuzzTest   # one target
# A finding fails the run; the crashing input is written to arbooth-core/ (crash-<sha1>) and the stack trace
# is printed. The corpus grows in arbooth-core/.cifuzz-corpus/ (ignored by git) and is reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-5}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(SafeTensorsFuzzTest TorchCheckpointFuzzTest ImageLoaderFuzzTest AdapterFuzzTest BaseModelFuzzTest)
fi
export DJL_OFFLINE=true OPT_OUT_TRACKING=true JAZZER_FUZZ=1
if [ ! -d arbooth-core/target/test-classes/dev/arbooth/format ]; then
  mvn -B -ntp -q test-compile -pl arbooth-core
fi
for t in "${TARGETS[@]}"; do
  echo "== fuzzing ${t} for ${SECONDS_PER_TARGET} s"
  # -max_total_time overrides the @FuzzTest maxDuration; the first libFuzzer argument is only argv[0].
  nice mvn -B -ntp -q surefire:test -pl arbooth-core -Dtest="${t}" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="${SECONDS_PER_TARGET}" \
    2>&1 | grep -E "^(#[0-9]+ +DONE|Done |== |\[ERROR\]|Tests run:)|Finding|crash-|Exception" || true
  test "${PIPESTATUS[0]}" -eq 0
done
echo "fuzzing: all targets clean"
