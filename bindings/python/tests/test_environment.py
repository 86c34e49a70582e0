"""Fails, saying how to run the suite, when the live-server variables are not set."""

from conftest import MISSING


def test_run_through_with_server() -> None:
    assert not MISSING, (
        f"{', '.join(MISSING)} not set: run these tests through scripts/with-server.sh, e.g. "
        "`bindings/python/test.sh` or `scripts/with-server.sh -- python -m pytest bindings/python/tests`"
    )
