"""Concurrent use: one client and one access key shared by many threads, the GIL released
during foreign calls, and close() while another thread is inside a call."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List

import pytest

import toz
from conftest import Party

THREADS = 8


def test_one_client_shared_by_eight_threads(party: Callable[..., Party], record_type: str) -> None:
    alice = party("py-concurrent").client
    start = threading.Barrier(THREADS)

    def work(t: int) -> List[str]:
        start.wait()
        ids = []
        for i in range(5):
            value = f"{t}-{i}"
            rec = alice.write_record(record_type, {"v": value}, {"thread": str(t)})
            back = alice.read_record(rec.meta.record_id or "")
            assert back.data == {"v": value} and back.meta.plain == {"thread": str(t)}
            ids.append(rec.meta.record_id or "")
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        ids = [i for batch in pool.map(work, range(THREADS)) for i in batch]
    assert len(set(ids)) == THREADS * 5
    page = alice.query(count=1000, content_types=[record_type], include_data=True)
    assert sorted(r.meta.record_id or "" for r in page.results) == sorted(ids)
    expected = sorted(f"{t}-{i}" for t in range(THREADS) for i in range(5))
    assert sorted(r.data["v"] for r in page.results) == expected


def test_one_access_key_shared_by_eight_threads() -> None:
    ak = toz.AccessKey.generate()

    def work(t: int) -> int:
        for i in range(50):
            data = {"t": str(t), "i": str(i), "pad": "x" * 100}
            assert toz.decrypt_record(ak, toz.encrypt_record(ak, data)) == data
        return t

    with ThreadPoolExecutor(THREADS) as pool:
        assert sorted(pool.map(work, range(THREADS))) == list(range(THREADS))


def test_a_blocking_call_does_not_hold_the_gil() -> None:
    """While one thread is inside a slow libtoz call (Argon2id), a pure-Python loop in the main
    thread keeps running at a good part of its solo speed. Were the GIL held during the call,
    the loop could only run in the one or two switch intervals (5 ms) around it."""
    creds = toz.Credentials.generate()
    options = toz.SealOptions(opslimit=1, memlimit=32 * 1024 * 1024)
    ticks = [0]
    done = threading.Event()
    solo_end = time.perf_counter() + 0.1
    while time.perf_counter() < solo_end and not done.is_set():
        ticks[0] += 1
    solo_rate = ticks[0] / 0.1
    during: List[float] = []

    def seal() -> None:
        t0, before = time.perf_counter(), ticks[0]
        creds.seal("passphrase", options)
        t1, after = time.perf_counter(), ticks[0]
        during.append((after - before) / (t1 - t0))
        done.set()

    worker = threading.Thread(target=seal)
    worker.start()
    while not done.is_set():
        ticks[0] += 1
        time.perf_counter()
    worker.join()
    assert during[0] > 0.3 * solo_rate, (
        f"the main thread ran at {during[0]:.0f} ticks/s during the call, {solo_rate:.0f} alone"
    )


def test_close_while_another_thread_is_inside_a_call() -> None:
    creds = toz.Credentials.generate()
    info = creds.public_info()
    results: List[str] = []

    def seal() -> None:
        results.append(creds.seal("passphrase", toz.SealOptions(opslimit=1, memlimit=32 * 1024 * 1024)))

    worker = threading.Thread(target=seal)
    worker.start()
    deadline = time.monotonic() + 10
    while creds._users == 0 and worker.is_alive():  # wait until the call has borrowed the handle
        assert time.monotonic() < deadline
    creds.close()  # must not free the handle under the running call
    with creds._lock:
        users, ptr = creds._users, creds._ptr
    assert users == 0 or ptr is not None
    assert creds.closed
    with pytest.raises(toz.ClosedError):
        creds.public_info()
    worker.join()
    assert results and toz.Credentials.unseal(results[0], "passphrase").public_info() == info
    assert creds._ptr is None  # freed once the call returned
