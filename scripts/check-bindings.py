#!/usr/bin/env python3
"""Binding coverage gate: every function of include/toz.h and every TOZ_ERROR_KIND_* must be
referenced by name in each language binding's sources.

    scripts/check-bindings.py [--only python,go,...]

A function counts as covered when its name (e.g. `toz_client_share`) appears literally in the
binding's sources, an error kind when its suffix (e.g. `WRONG_PASSPHRASE`) does. A binding whose
directory does not exist is a failure ("missing binding"). Exit status 1 on any gap.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINDINGS = {  # name: (directory, glob of sources, excluded file-name suffix)
    "python": ("bindings/python", "toz/*.py", None),
    "go": ("bindings/go", "*.go", "_test.go"),
    "swift": ("bindings/swift", "Sources/**/*.swift", None),
    "kotlin": ("bindings/kotlin", "src/main/**/*.kt", None),
}


def header_names(header):
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", header.read_text(), flags=re.S)
    functions = sorted(set(re.findall(r"\b(toz_\w+)\s*\(", text)))
    kinds = sorted(set(re.findall(r"\bTOZ_ERROR_KIND_(\w+)\s*=", text)))
    return functions, kinds


def check(name, functions, kinds):
    directory, pattern, exclude = BINDINGS[name]
    base = ROOT / directory
    if not base.is_dir():
        return [f"missing binding: {directory} does not exist"]
    files = [p for p in base.glob(pattern) if p.is_file() and not (exclude and p.name.endswith(exclude))]
    if not files:
        return [f"missing binding: no sources matching {directory}/{pattern}"]
    source = "\n".join(p.read_text(errors="replace") for p in files)
    gaps = [f"function {f} is not referenced" for f in functions if not re.search(rf"\b{f}\b", source)]
    gaps += [f"error kind {k} is not mapped" for k in kinds if not re.search(rf"\b{k}\b", source)]
    return gaps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated bindings to check (default: all)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BINDINGS)
    unknown = [n for n in names if n not in BINDINGS]
    if unknown:
        parser.error(f"unknown binding(s) {', '.join(unknown)}; known: {', '.join(BINDINGS)}")
    functions, kinds = header_names(ROOT / "include/toz.h")
    if not functions or not kinds:
        sys.exit("check-bindings: found no functions or error kinds in include/toz.h")
    failed = False
    for name in names:
        gaps = check(name, functions, kinds)
        failed |= bool(gaps)
        status = "FAIL" if gaps else "ok"
        print(f"{name}: {status} ({len(functions)} functions, {len(kinds)} error kinds)")
        for gap in gaps:
            print(f"  {gap}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
