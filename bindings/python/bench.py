#!/usr/bin/env python3
"""Binding overhead benchmark (docs/bindings.md): prints exactly one line

    BENCH python version_ns=<ns per toz.version()> roundtrip_us=<µs per encrypt+decrypt>

The round trip is toz.encrypt_record + toz.decrypt_record of {"f0": "x"*100, ..., "f9": "x"*100}
with one AccessKey, from dict to dict. Load libtoz as the package does (TOZ_LIBRARY for a
release build: cargo build --release -p toz; TOZ_LIBRARY=target/release/libtoz.so).
Each figure is the best of 5 timed batches, after a warm-up.
"""

import time
from typing import Callable

import toz

RECORD = {f"f{i}": "x" * 100 for i in range(10)}


def best_ns_per_call(fn: Callable[[], object], calls: int, batches: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter_ns() - start) / calls)
    return best


def main() -> None:
    version_ns = best_ns_per_call(toz.version, 200_000)
    with toz.AccessKey.generate() as ak:

        def roundtrip() -> None:
            out = toz.decrypt_record(ak, toz.encrypt_record(ak, RECORD))
            assert out is not RECORD

        assert toz.decrypt_record(ak, toz.encrypt_record(ak, RECORD)) == RECORD
        roundtrip_ns = best_ns_per_call(roundtrip, 5_000)
    print(f"BENCH python version_ns={version_ns:.0f} roundtrip_us={roundtrip_ns / 1000:.2f}")


if __name__ == "__main__":
    main()
