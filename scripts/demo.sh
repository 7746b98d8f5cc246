#!/usr/bin/env bash
# The main job: personalizes the bundled toy base on a subject's photos, samples prompts with and without the
# subject, and writes a PNG grid and an HTML report (dev.arbooth.examples.Demo). On a fresh clone it builds what it
# needs first (no install step; the first run downloads the Maven dependencies).
# Usage: scripts/demo.sh [--subject dog1] [--images DIR --class WORD] [--prompts FILE] [--out DIR] [--steps N]
#                        [--lr X] [--batch B] [--tuning T] [--lora R] [--distill-uncond B] [--scale-weights W,..]
#                        [--base DIR] [--per-prompt K] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
. scripts/malloc-env.sh
echo "[build] compiling the SDK (mvn package, tests skipped) ..."
mvn -B -ntp -q package dependency:build-classpath -Dmdep.outputFile=target/demo-classpath.txt \
  -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true -Dmaven.javadoc.skip=true -Djazzer.skip=true \
  -pl examples -am
# PyTorch's native library prints "Could not initialize NNPACK" warnings on CPUs without NNPACK support (they are
# harmless, and TORCH_CPP_LOG_LEVEL does not reach them through DJL): filtered from the job's error stream
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "examples/target/classes:$(cat examples/target/demo-classpath.txt)" dev.arbooth.examples.Demo "$@" \
  2> >(grep -v --line-buffered 'Could not initialize NNPACK' >&2)
