"""How toz finds libtoz, and its refusal of a library with another ABI version (in subprocesses,
since the library is loaded once per interpreter)."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import toz


def run(
    code: str, env: Dict[str, Optional[str]], cwd: Optional[Path] = None
) -> "subprocess.CompletedProcess[str]":
    full = dict(os.environ)
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return subprocess.run(
        [sys.executable, "-c", code], env=full, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_toz_library_pointing_nowhere_is_a_clear_import_error(tmp_path: Path) -> None:
    missing = tmp_path / "libtoz-missing.so"
    r = run("import toz", {"TOZ_LIBRARY": str(missing)})
    assert r.returncode != 0
    assert "LibraryLoadError" in r.stderr and str(missing) in r.stderr
    r = run(
        "try:\n    import toz\nexcept ImportError as e:\n    print('caught', type(e).__name__)",
        {"TOZ_LIBRARY": str(missing)},
    )
    assert r.stdout.strip() == "caught LibraryLoadError", r.stderr


def test_abi_mismatch_names_both_versions(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    assert cc, "a C compiler (cc) is needed to build the stub library of this test"
    other_abi = toz.ABI_VERSION + 1
    (tmp_path / "stub.c").write_text(f"unsigned int toz_abi_version(void) {{ return {other_abi}; }}\n")
    stub = tmp_path / "libtoz-stub.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(stub), str(tmp_path / "stub.c")], check=True)
    r = run("import toz", {"TOZ_LIBRARY": str(stub)})
    assert r.returncode != 0
    assert f"ABI version {other_abi}" in r.stderr, r.stderr
    assert f"ABI version {toz.ABI_VERSION}" in r.stderr, r.stderr
    (tmp_path / "other.c").write_text("int not_toz(void) { return 0; }\n")
    other = tmp_path / "libother.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(other), str(tmp_path / "other.c")], check=True)
    r = run("import toz", {"TOZ_LIBRARY": str(other)})
    assert "is not libtoz" in r.stderr, r.stderr


def test_library_bundled_in_the_package_is_found_without_toz_library(tmp_path: Path) -> None:
    package = Path(toz.__file__).resolve().parent
    copy = tmp_path / "site" / "toz"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "libtoz.*"))
    if ctypes.util.find_library("toz") is None:
        r = run("import toz", {"TOZ_LIBRARY": None, "PYTHONPATH": str(copy.parent)}, cwd=tmp_path)
        # Neither bundled nor on the system path: the error says how to provide the library.
        assert r.returncode != 0 and "set TOZ_LIBRARY" in r.stderr, r.stderr
    shutil.copy(os.environ["TOZ_LIBRARY"], copy / "libtoz.so")
    r = run(
        "import toz, toz._ffi as f; print(f.lib._name); print(toz.version())",
        {"TOZ_LIBRARY": None, "PYTHONPATH": str(copy.parent)},
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(copy / "libtoz.so"), toz.version()]
