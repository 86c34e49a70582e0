"""The client against the live toz-server: registration, records, query and search, sharing,
authorizers, client info and recovery by the account's backup client, with their failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, List

import pytest

import toz
from conftest import Env, Party

UNKNOWN_ID = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"
MakeParty = Callable[..., Party]


# --- registration and options -----------------------------------------------------------------


def test_register_gives_registered_credentials(env: Env) -> None:
    creds = toz.register(env.api_url, env.token, "py-register")
    info = creds.public_info()
    assert len(info.client_id) == 36 and info.api_key_id
    assert info.api_url.rstrip("/") == env.api_url.rstrip("/")
    assert json.loads(creds.to_json())["api_secret"]
    with toz.Client(creds, toz.ClientOptions(timeout_ms=5000, user_agent="toz-py-test")) as c:
        assert c.client_info(info.client_id).public_key.curve25519 == info.public_key


def test_wrong_token_is_refused_without_echoing_it(env: Env) -> None:
    with pytest.raises(toz.TozError) as e:
        toz.register(env.api_url, "not-a-token", "py-x")
    assert isinstance(e.value, (toz.UnauthorizedError, toz.ForbiddenError, toz.NotFoundError, toz.HttpError))
    assert 400 <= e.value.http_status < 500
    assert "not-a-token" not in str(e.value)


def test_one_time_token_is_used_up(env: Env) -> None:
    token = env.make_token(uses=1)
    toz.register(env.api_url, token, "py-first").close()
    with pytest.raises(toz.TozError) as e:
        toz.register(env.api_url, token, "py-second")
    assert 400 <= e.value.http_status < 500, e.value


def test_transport_failures(env: Env) -> None:
    # Refused before any connection is attempted.
    with pytest.raises(toz.InsecureTransportError):
        toz.register("http://example.invalid:8000", env.token, "py-x")
    # A loopback port nobody listens on.
    with pytest.raises(toz.NetworkError):
        toz.register("http://127.0.0.1:1", env.token, "py-x", options={"retries": 0, "timeout_ms": 3000})
    with pytest.raises(toz.InvalidArgumentError):
        toz.register(env.api_url, env.token, "")


def test_client_options_and_unregistered_credentials(env: Env, tmp_path: Path) -> None:
    creds = toz.register(env.api_url, env.token, "py-options")
    with pytest.raises(toz.JsonError):
        toz.Client(creds, {"no_such_option": 1})
    with pytest.raises(toz.JsonError):
        toz.Client(creds, {"timeout_ms": "soon"})
    toz.Client(creds, {}).close()
    # Unregistered credentials give an anonymous client: notes only. Everything else is refused
    # before any request, even against a live server.
    unregistered = toz.Credentials.generate(env.api_url)
    with toz.Client(unregistered) as anonymous:
        assert anonymous.public_info() == unregistered.public_info()
        assert anonymous.public_info().client_id == ""
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            anonymous.write_record("py-anonymous", {"a": "b"})
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            anonymous.query(content_types=["py-anonymous"])
        (tmp_path / "f").write_bytes(b"bytes")
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            anonymous.write_file("py-anonymous", tmp_path / "f")
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            anonymous.read_file(UNKNOWN_ID, tmp_path / "out")
        assert not (tmp_path / "out").exists()


def test_client_keeps_its_own_copy_of_the_credentials(party: MakeParty, record_type: str) -> None:
    alice = party("py-alice")
    client = toz.Client(toz.Credentials.from_json(alice.credentials.to_json()))
    # The credentials handle the client was made from is gone; the client still works.
    rec = client.write_record(record_type, {"k": "v"})
    assert client.read_record(rec.meta.record_id or "").data == {"k": "v"}
    client.close()
    client.close()
    with pytest.raises(toz.ClosedError):
        client.read_record(rec.meta.record_id or "")


# --- records ----------------------------------------------------------------------------------


def test_record_round_trip_with_versions(party: MakeParty, record_type: str) -> None:
    me = party("py-alice")
    alice = me.client
    written = alice.write_record(record_type, {"name": "Alice", "ssn": "123-45-6789"}, {"team": "blue"})
    assert isinstance(written, toz.Record) and isinstance(written.meta, toz.RecordMeta)
    rid = written.meta.record_id
    assert rid and written.meta.version and written.meta.created
    assert written.meta.type == record_type and written.meta.plain == {"team": "blue"}
    assert written.meta.writer_id == written.meta.user_id == me.id

    read = alice.read_record(rid)
    assert read.data == {"name": "Alice", "ssn": "123-45-6789"}
    assert read.meta.version == written.meta.version and read.meta.plain == {"team": "blue"}
    assert alice.read_record(rid, fields=["name"]).data == {"name": "Alice"}

    read.data["name"] = "Alice B."
    read.meta.plain["team"] = "red"
    updated = alice.update_record(read)
    assert updated.meta.version != read.meta.version
    again = alice.read_record(rid)
    assert again.data["name"] == "Alice B." and again.meta.plain == {"team": "red"}

    # The old version is stale: update and delete both conflict, and nothing changes.
    with pytest.raises(toz.ConflictError) as e:
        alice.update_record(read)
    assert e.value.http_status == 409 and e.value.kind == toz.ErrorKind.CONFLICT
    with pytest.raises(toz.ConflictError):
        alice.delete_record(rid, read.meta.version)
    assert alice.read_record(rid).meta.version == updated.meta.version

    # Updates also take the plain dict shape of the ABI.
    as_dict = again.to_json()
    as_dict["data"]["name"] = "Alice C."
    newest = alice.update_record(as_dict)
    assert alice.read_record(rid).data["name"] == "Alice C."

    alice.delete_record(rid, newest.meta.version)
    with pytest.raises(toz.NotFoundError):
        alice.read_record(rid)
    with pytest.raises(toz.NotFoundError):
        alice.read_record(UNKNOWN_ID)


def test_unconditional_delete(party: MakeParty, record_type: str) -> None:
    alice = party("py-alice").client
    rid = alice.write_record(record_type, {"a": "b"}).meta.record_id or ""
    alice.delete_record(rid)
    with pytest.raises(toz.NotFoundError):
        alice.read_record(rid)


def test_malformed_record_input(party: MakeParty, record_type: str) -> None:
    alice = party("py-alice").client
    with pytest.raises(toz.JsonError):
        alice.write_record(record_type, {"n": 1})  # type: ignore[dict-item]
    with pytest.raises(toz.JsonError):
        alice.write_record(record_type, {"a": "b"}, {"p": ["not", "a", "string"]})  # type: ignore[dict-item]
    with pytest.raises(toz.InvalidArgumentError):
        alice.write_record("", {"a": "b"})
    with pytest.raises(toz.InvalidArgumentError, match="record_id"):
        alice.update_record({"meta": {"type": record_type}, "data": {"a": "b"}})
    with pytest.raises(toz.JsonError):
        alice.update_record({"meta": "not an object", "data": {}})
    with pytest.raises(toz.JsonError):
        alice.read_record(UNKNOWN_ID, fields=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        alice.read_record(UNKNOWN_ID, fields="name")


# --- query and search --------------------------------------------------------------------------


def ids(page: toz.QueryPage) -> List[str]:
    return sorted(r.meta.record_id or "" for r in page.results)


def test_query_filters_pages_and_decrypts(party: MakeParty, record_type: str) -> None:
    alice = party("py-alice").client
    for i in range(6):
        alice.write_record(record_type, {"n": str(i)}, {"color": "red" if i % 2 == 0 else "green"})
    alice.write_record(record_type + "-other", {"n": "x"})

    red = toz.QueryRequest(
        content_types=[record_type],
        include_data=True,
        plain={"eq": {"name": "color", "value": "red"}},
    )
    page = alice.query(red)
    assert isinstance(page, toz.QueryPage)
    assert sorted(r.data["n"] for r in page.results) == ["0", "2", "4"]
    assert all(r.meta.plain["color"] == "red" for r in page.results)
    # The same query as a dict of wire fields and as keywords.
    as_dict = alice.query({"content_types": [record_type], "include_data": True,
                           "plain": {"eq": {"name": "color", "value": "red"}}})
    as_kwargs = alice.query(content_types=[record_type], include_data=True,
                            plain={"eq": {"name": "color", "value": "red"}})
    assert ids(as_dict) == ids(as_kwargs) == ids(page)

    first = alice.query(count=5, content_types=[record_type])
    assert len(first.results) == 5 and all(r.data == {} for r in first.results)
    second = alice.query(count=5, content_types=[record_type], after_index=first.last_index)
    assert len(second.results) == 1
    assert not set(ids(first)) & set(ids(second))

    with pytest.raises(TypeError):
        alice.query(red, count=1)
    with pytest.raises(toz.JsonError):
        alice.query({"count": "many"})
    with pytest.raises(toz.JsonError):
        alice.query({"writer_ids": "not a list"})


def test_search_pages(party: MakeParty, record_type: str) -> None:
    alice = party("py-alice").client
    for i in range(6):
        alice.write_record(record_type, {"n": str(i)})
    request = toz.SearchRequest(
        limit=2,
        include_data=True,
        match=[toz.SearchParams(terms=toz.SearchTerms(content_types=[record_type]))],
    )
    page = alice.search(request)
    assert isinstance(page, toz.SearchPage)
    assert page.total_results == 6 and len(page.results) == 2 and page.last_index == 2
    assert all("n" in r.data for r in page.results)
    request.next_token = page.last_index
    nxt = alice.search(request)
    assert len(nxt.results) == 2
    assert {r.meta.record_id for r in nxt.results}.isdisjoint(r.meta.record_id for r in page.results)
    as_dict = alice.search({"limit": 10, "match": [{"terms": {"content_types": [record_type]}}]})
    assert as_dict.total_results == 6 and all(r.data == {} for r in as_dict.results)
    with pytest.raises(toz.JsonError):
        alice.search({"limit": "ten"})


# --- sharing and authorizers -------------------------------------------------------------------


def test_share_and_revoke(party: MakeParty, record_type: str) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    rid = alice.client.write_record(record_type, {"note": "allergic to penicillin"}).meta.record_id or ""

    with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
        bob.client.read_record(rid)
    alice.client.share(record_type, bob.id)
    alice.client.share(record_type, bob.id)  # sharing again is harmless
    assert bob.client.read_record(rid).data == {"note": "allergic to penicillin"}

    assert toz.OutgoingShare(bob.id, "py-bob", record_type) in alice.client.outgoing_shares()
    assert toz.IncomingShare(alice.id, "py-alice", record_type) in bob.client.incoming_shares()

    alice.client.revoke(record_type, bob.id)
    with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
        bob.client.read_record(rid)
    assert all(s.record_type != record_type for s in alice.client.outgoing_shares())
    with pytest.raises(toz.TozError):
        alice.client.share(record_type, UNKNOWN_ID)


def test_authorizers_share_on_behalf_of_the_writer(party: MakeParty, record_type: str) -> None:
    writer, authorizer, reader = party("py-writer"), party("py-authorizer"), party("py-reader")
    rid = writer.client.write_record(record_type, {"amount": "42"}).meta.record_id or ""

    with pytest.raises(toz.ForbiddenError):
        authorizer.client.share_on_behalf_of(writer.id, record_type, reader.id)

    writer.client.add_authorizer(record_type, authorizer.id)
    mine = [a for a in writer.client.authorizers() if a.record_type == record_type]
    assert [(a.authorizer_id, a.writer_id) for a in mine] == [(authorizer.id, writer.id)]
    assert isinstance(mine[0], toz.AuthorizerPolicy)
    granted = authorizer.client.granted_authorizations()
    assert any(g.writer_id == writer.id and g.record_type == record_type for g in granted)

    authorizer.client.share_on_behalf_of(writer.id, record_type, reader.id)
    assert reader.client.read_record(rid).data == {"amount": "42"}
    authorizer.client.revoke_on_behalf_of(writer.id, record_type, reader.id)
    with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
        reader.client.read_record(rid)

    writer.client.remove_authorizer(record_type, authorizer.id)
    assert all(a.record_type != record_type for a in writer.client.authorizers())
    with toz.Client(authorizer.credentials) as fresh:  # no cached access key
        with pytest.raises(toz.TozError):
            fresh.share_on_behalf_of(writer.id, record_type, reader.id)


def test_client_info(party: MakeParty) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    info = alice.client.client_info(bob.id)
    bob_info = bob.credentials.public_info()
    assert info == toz.ClientInfo(
        client_id=bob.id,
        public_key=toz.PublicKey(bob_info.public_key),
        signing_key=info.signing_key,
        validated=info.validated,
    )
    assert info.signing_key is None or info.signing_key.ed25519 in (None, bob_info.public_signing_key)
    with pytest.raises(toz.NotFoundError):
        alice.client.client_info("doesnt exist")
    with pytest.raises(toz.NotFoundError):
        alice.client.client_info(UNKNOWN_ID)


# --- backup and recovery -----------------------------------------------------------------------


def test_recovery_by_the_backup_client(env: Env, party: MakeParty, record_type: str) -> None:
    alice = party("py-alice", backup=True)
    bob = party("py-bob", backup=False)
    rid = alice.client.write_record(record_type, {"secret": "s3"}).meta.record_id or ""

    with toz.Credentials.load_file(env.backup_credentials) as queen_creds, toz.Client(queen_creds) as queen:
        listed = queen.list_backups()
        mine = [b for b in listed if b.client_id == alice.id]
        assert len(mine) == 1 and isinstance(mine[0], toz.BackupEntry)
        assert mine[0].record_id and mine[0].created
        assert all(b.client_id != bob.id for b in listed), "bob registered without backup"

        recovered = queen.recover_credentials(alice.id)
        assert json.loads(recovered.to_json()) == json.loads(alice.credentials.to_json())
        with toz.Client(recovered) as as_alice:
            assert as_alice.read_record(rid).data == {"secret": "s3"}
        with pytest.raises(toz.NotFoundError):
            queen.recover_credentials(bob.id)
    # Only the backup client can list backups it was given.
    assert all(b.client_id != alice.id for b in bob.client.list_backups())
