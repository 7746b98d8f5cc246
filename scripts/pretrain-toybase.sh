#!/usr/bin/env bash
# Pretrains the toy base (VAE -> bits cache -> transformer); resumable: run the same command again after a stop.
# Usage: scripts/pretrain-toybase.sh [--out target/pretrain] [--plan two-hours|smoke] [--seed N]
#        [--vae-steps N] [--cache N] [--transformer-steps N] [--checkpoint-minutes M] [--threads T]
# Builds the reactor classes it needs (no install), then runs dev.arbooth.toybase.internal.Pretrain.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
mvn -B -ntp -q -o package dependency:build-classpath -Dmdep.outputFile=target/toybase-classpath.txt \
  -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true -Dmaven.javadoc.skip=true -pl arbooth-toybase -am
exec java -cp "arbooth-toybase/target/classes:$(cat arbooth-toybase/target/toybase-classpath.txt 2>/dev/null || cat target/toybase-classpath.txt)" \
  dev.arbooth.toybase.internal.Pretrain "$@"
