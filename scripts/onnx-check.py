#!/usr/bin/env python3
"""Runs the official ONNX checker over an ARBooth ONNX export (OnnxExport).

Usage: onnx-check.py EXPORT_DIR

Every .onnx file of the directory is checked with onnx.checker.check_model on its path (the form that also
validates the external-data references: each weights file exists inside the directory and the offsets and
lengths lie within it), then with full_check=True (ONNX shape inference over the standard-domain nodes; the
com.microsoft contrib nodes of the transformer's prologue and step graphs are outside the checker's schema
registry and are checked by ONNX Runtime when it loads them). Exits 1 on the first failure.
"""
import pathlib
import sys

import onnx
import onnx.checker


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    files = sorted(root.glob("*.onnx"))
    if not files:
        print(f"onnx-check: no .onnx files in {root}", file=sys.stderr)
        return 1
    standard = 0
    for f in files:
        onnx.checker.check_model(str(f))
        model = onnx.load(str(f), load_external_data=False)
        onnx.checker.check_model(str(f), full_check=True)
        domains = sorted({n.domain or "ai.onnx" for n in model.graph.node})
        if domains == ["ai.onnx"]:
            standard += 1
    print(f"onnx-check: onnx {onnx.__version__}: {len(files)} graphs in {root} pass check_model (full_check);"
          f" {standard} use only the standard domain")
    return 0


if __name__ == "__main__":
    sys.exit(main())
