"""Fixtures of the live-server suite. Run it through scripts/with-server.sh (test.sh does)."""

from __future__ import annotations

import itertools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

REPO = Path(__file__).resolve().parents[3]
HEADER = REPO / "include" / "toz.h"
REQUIRED = [
    "TOZ_TEST_API_URL",
    "TOZ_TEST_REGISTRATION_TOKEN",
    "TOZ_TEST_BACKUP_CREDENTIALS",
    "TOZ_TEST_ACCOUNT_EMAIL",
    "TOZ_TEST_DATABASE",
    "TOZ_SERVER_BIN",
    "TOZ_LIBRARY",
]
MISSING = [name for name in REQUIRED if not os.environ.get(name)]
if MISSING:
    # Only test_environment.py (which fails, saying why) is collected: the other modules would
    # not even import without TOZ_LIBRARY.
    here = Path(__file__).parent
    collect_ignore = [p.name for p in here.glob("test_*.py") if p.name != "test_environment.py"]

if not MISSING:
    import toz


@dataclass
class Env:
    api_url: str
    token: str
    backup_credentials: str
    email: str
    database: str
    server_bin: str

    def make_token(self, uses: int = 1) -> str:
        """A new registration token of the account, usable `uses` times."""
        out = subprocess.run(
            [self.server_bin, "token", "create", "--database", self.database,
             "--email", self.email, "--uses", str(uses)],
            check=True, capture_output=True, text=True,
        )
        return out.stdout.strip()


@pytest.fixture(scope="session")
def env() -> Env:
    return Env(
        api_url=os.environ["TOZ_TEST_API_URL"],
        token=os.environ["TOZ_TEST_REGISTRATION_TOKEN"],
        backup_credentials=os.environ["TOZ_TEST_BACKUP_CREDENTIALS"],
        email=os.environ["TOZ_TEST_ACCOUNT_EMAIL"],
        database=os.environ["TOZ_TEST_DATABASE"],
        server_bin=os.environ["TOZ_SERVER_BIN"],
    )


@dataclass
class Party:
    """A registered client: its credentials, a client handle and its id."""

    name: str
    credentials: "toz.Credentials"
    client: "toz.Client"
    id: str


_serial = itertools.count()


@pytest.fixture
def party(env: Env) -> Iterator[Callable[..., Party]]:
    """party("alice", backup=False) registers a new client; all are closed after the test."""
    made: List[Party] = []

    def make(name: str, backup: bool = False) -> Party:
        creds = toz.register(env.api_url, env.token, name, backup=backup)
        p = Party(name, creds, toz.Client(creds), creds.public_info().client_id)
        made.append(p)
        return p

    yield make
    for p in made:
        p.client.close()
        p.credentials.close()


@pytest.fixture
def record_type() -> str:
    """A record type no other test uses (the server is shared by the whole session)."""
    return f"py-type-{os.getpid()}-{next(_serial)}"
