#!/usr/bin/env bash
# Measures the toy base's quality gates (dev.arbooth.pretrain.Gates): VAE PSNR and probes on round trips,
# prompt fidelity on held-out caption combinations, sampling time. Writes gates.json and pictures.
# Usage: scripts/toybase-gates.sh --base DIR [--out target/gates] [--renders 200] [--samples 200] [--batch 20] [--cfg 4] [--tau 0.5]
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
. scripts/malloc-env.sh
mvn -B -ntp -q -o package dependency:build-classpath -Dmdep.outputFile=target/gates-classpath.txt \
  -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true -Dmaven.javadoc.skip=true -pl arbooth-pretrain -am
exec java -cp "arbooth-pretrain/target/classes:$(cat arbooth-pretrain/target/gates-classpath.txt)" \
  dev.arbooth.pretrain.Gates "$@"
