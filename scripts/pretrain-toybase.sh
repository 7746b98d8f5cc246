#!/usr/bin/env bash
# Pretrains the toy base (VAE -> bits cache -> transformer); resumable: run the same command again after a stop.
# Usage: scripts/pretrain-toybase.sh [--out target/pretrain] [--plan two-hours|smoke] [--seed N]
#        [--bits D] [--schedule 1,2,4,6,8] [--vae-steps N] [--cache N] [--transformer-steps N] [--checkpoint-minutes M] [--threads T]
# Builds the reactor classes it needs (no install), copies the project's jars and classes to target/pretrain-app
# (so that a later build of the worktree cannot replace jars under the running JVM), then runs
# dev.arbooth.pretrain.Pretrain.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
. scripts/malloc-env.sh
mvn -B -ntp -q -o package dependency:build-classpath -Dmdep.outputFile=target/pretrain-classpath.txt \
  -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true -Dmaven.javadoc.skip=true -pl arbooth-pretrain -am
app="target/pretrain-app"
rm -rf "$app" && mkdir -p "$app/lib"
cp -r arbooth-pretrain/target/classes "$app/classes"
cp=""
for entry in $(tr ':' ' ' < arbooth-pretrain/target/pretrain-classpath.txt); do
  case "$entry" in
    "$PWD"/*) cp "$entry" "$app/lib/" && entry="$app/lib/$(basename "$entry")" ;;
  esac
  cp="$cp:$entry"
done
exec java -cp "$app/classes$cp" dev.arbooth.pretrain.Pretrain "$@"
