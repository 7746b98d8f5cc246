#!/usr/bin/env bash
# Copies a pretrained base (the base/ directory written by scripts/pretrain-toybase.sh) into the arbooth-toybase
# resource module (named arbooth-toybase, gate figures merged into its manifest) and writes its SHA256SUMS.
# Usage: scripts/package-toybase.sh [target/pretrain/base] [gates.json]
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-target/pretrain/base}"
dst="arbooth-toybase/src/main/resources/dev/arbooth/toybase/base"
files="arbooth-base.json transformer.safetensors vae.safetensors t5.safetensors tokenizer.json toybase-manifest.json"
for f in $files; do
  [ -f "$src/$f" ] || { echo "missing $src/$f (not a pretrained toy base directory)" >&2; exit 1; }
done
tmp="$(mktemp -d "$dst.tmp-XXXXXX")"
for f in $files; do cp "$src/$f" "$tmp/$f"; done
# the bundled base's name is what FitOptions.defaultsFor recognises; gate figures (if measured) join the manifest
python3 - "$tmp" "${2:-}" <<'PY'
import json, sys, os
d, gates = sys.argv[1], sys.argv[2]
p = os.path.join(d, "arbooth-base.json")
b = json.load(open(p))
b["name"] = "arbooth-toybase"
open(p, "w").write(json.dumps(b, indent=2) + "\n")
m = os.path.join(d, "toybase-manifest.json")
man = json.load(open(m))
man["configs"] = {k: b[k] for k in ("infinity", "vae", "textEncoder", "schedule")}
man["text_encoder"] = "frozen, seeded random weights (ToyText.randomT5); tokenizer: word-level over the toy vocabulary and ViCo's prompt words"
if gates:
    man["gates"] = json.load(open(gates))
open(m, "w").write(json.dumps(man, indent=2) + "\n")
PY
(cd "$tmp" && sha256sum $files > SHA256SUMS)
rm -rf "$dst" && mv "$tmp" "$dst"
du -sh "$dst"
cat "$dst/SHA256SUMS"
