"""Notes and large files against the live toz-server: notes between registered and anonymous
clients, names, replacement, view and time limits, refused and forged notes; files written with
progress reports, read back, shared, revoked and tampered with."""

from __future__ import annotations

import base64
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, List, Optional, Tuple, Union

import pytest

import toz
from conftest import Env, Party

MakeParty = Callable[..., Party]
Event = Tuple[Union[toz.ProgressStage, int], int, int]
_names = itertools.count()


def unique_name() -> str:
    """A note name no other test (or earlier run against the same server) uses."""
    return f"py-note-{os.getpid()}-{time.time_ns()}-{next(_names)}"


def anonymous(env: Env) -> toz.Client:
    return toz.Client(toz.Credentials.generate(env.api_url))


# --- notes ------------------------------------------------------------------------------------


def test_note_round_trip_between_two_registered_clients(party: MakeParty) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    bob_keys = bob.client.public_info()
    data = {"message": "meet at noon", "pin": "1234"}
    written = alice.client.write_note(data, bob_keys, type="greeting", plain={"lang": "en"})
    assert isinstance(written, toz.Note) and written.note_id
    assert written.client_id == alice.id
    assert written.recipient_signing_key == bob_keys.public_signing_key
    assert written.writer_signing_key == alice.credentials.public_info().public_signing_key
    assert written.writer_encryption_key == alice.credentials.public_info().public_key
    assert set(written.data) == set(data)
    assert all(v != data[k] and "noon" not in v for k, v in written.data.items())  # encrypted

    read = bob.client.read_note(written.note_id)
    assert read.data == data
    assert (read.note_id, read.type, read.plain) == (written.note_id, "greeting", {"lang": "en"})
    assert read.client_id == alice.id and read.max_views == -1

    # Only the writer may delete it; then it is gone for everyone.
    with pytest.raises(toz.ForbiddenError) as e:
        bob.client.delete_note(written.note_id)
    assert e.value.http_status == 403
    assert bob.client.read_note(written.note_id).data == data
    alice.client.delete_note(written.note_id)
    with pytest.raises(toz.NotFoundError):
        bob.client.read_note(written.note_id)
    with pytest.raises(toz.NotFoundError):
        alice.client.delete_note(written.note_id)
    with pytest.raises(toz.HttpError) as malformed:  # spec: 400 for a malformed id
        bob.client.read_note("not-a-note-id")
    assert malformed.value.http_status == 400 and malformed.value.kind == toz.ErrorKind.HTTP


def test_note_names_conflicts_and_replacement(party: MakeParty) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    name = unique_name()
    first = alice.client.write_note({"v": "1"}, bob.client.public_info(), toz.NoteOptions(id_string=name))
    assert first.id_string == name
    assert bob.client.read_note_by_name(name).data == {"v": "1"}

    with pytest.raises(toz.ConflictError) as e:
        alice.client.write_note({"v": "2"}, bob.client.public_info(), id_string=name)
    assert e.value.http_status == 409
    assert bob.client.read_note_by_name(name).data == {"v": "1"}

    replaced = alice.client.replace_note({"v": "3"}, bob.client.public_info(), {"id_string": name})
    assert replaced.id_string == name
    assert bob.client.read_note_by_name(name).data == {"v": "3"}

    # replace_note also creates a note under a new name.
    fresh = unique_name()
    alice.client.replace_note({"v": "new"}, bob.client.public_info(), id_string=fresh)
    assert bob.client.read_note_by_name(fresh).data == {"v": "new"}
    with pytest.raises(toz.NotFoundError):
        bob.client.read_note_by_name(unique_name())


def test_view_limit_and_expiry(party: MakeParty) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    note = alice.client.write_note({"once": "or twice"}, bob.client.public_info(), max_views=2)
    assert note.max_views == 2 and note.views == 0
    first, second = (bob.client.read_note(note.note_id or "") for _ in range(2))
    assert first.data == second.data == {"once": "or twice"}
    assert (first.views, second.views) == (1, 2)
    with pytest.raises(toz.NotFoundError):
        bob.client.read_note(note.note_id or "")

    expiry = datetime.now(timezone.utc) + timedelta(seconds=2)
    short = alice.client.write_note(
        {"soon": "gone"}, bob.client.public_info(), expiration=expiry.isoformat(timespec="seconds")
    )
    assert short.expires and short.expiration
    assert bob.client.read_note(short.note_id or "").data == {"soon": "gone"}
    time.sleep(max(0.0, (expiry - datetime.now(timezone.utc)).total_seconds()) + 1.5)
    with pytest.raises(toz.NotFoundError):
        bob.client.read_note(short.note_id or "")


def test_anonymous_notes_both_ways(env: Env, party: MakeParty) -> None:
    bob = party("py-bob")
    with anonymous(env) as anon:
        anon_keys = anon.public_info()
        assert anon_keys.client_id == ""
        sent = anon.write_note({"tip": "anonymous"}, bob.client.public_info())
        assert sent.note_id and not sent.client_id
        read = bob.client.read_note(sent.note_id)
        assert read.data == {"tip": "anonymous"} and not read.client_id
        assert read.writer_signing_key == anon_keys.public_signing_key

        reply = bob.client.write_note({"thanks": "received"}, anon_keys)
        assert reply.client_id == bob.id
        assert anon.read_note(reply.note_id or "").data == {"thanks": "received"}
        # Everything but notes stays refused, before any request.
        with pytest.raises(toz.InvalidArgumentError):
            anon.write_record("py-anonymous", {"a": "b"})


def test_note_for_someone_else_is_refused(env: Env, party: MakeParty) -> None:
    alice, bob, carol = party("py-alice"), party("py-bob"), party("py-carol")
    note = alice.client.write_note({"for": "bob only"}, bob.client.public_info())
    with anonymous(env) as anon:
        for intruder in (carol.client, alice.client, anon):  # the writer is no recipient either
            with pytest.raises(toz.ForbiddenError) as e:
                intruder.read_note(note.note_id or "")
            assert e.value.http_status == 403
        for intruder in (carol.client, anon):
            with pytest.raises(toz.ForbiddenError):
                intruder.delete_note(note.note_id or "")
    assert bob.client.read_note(note.note_id or "").data == {"for": "bob only"}


def test_note_encrypted_to_other_keys_fails_to_decrypt(party: MakeParty) -> None:
    """A note whose signing key names bob but whose access key is boxed to carol's key: the
    server hands it to bob, and the library refuses it instead of returning anything."""
    alice, bob, carol = party("py-alice"), party("py-bob"), party("py-carol")
    mismatched = toz.NoteRecipient(
        public_key=carol.client.public_info().public_key,
        public_signing_key=bob.client.public_info().public_signing_key,
    )
    note = alice.client.write_note({"secret": "s"}, mismatched)
    with pytest.raises(toz.CryptoError):
        bob.client.read_note(note.note_id or "")


# --- note access policies (eacp) --------------------------------------------------------------


def mailed_code(note_id: str, used: Tuple[str, ...] = (), timeout: float = 10.0) -> str:
    """The one-time code toz-server mailed for a note: in the newest message in
    TOZ_TEST_MAIL_DIR (where scripts/with-server.sh has the server's --mail-command write each
    one) with the header line `X-Toz-Note-Id: <note_id>`, the text after `One-time code: `.
    Waits for a code not in `used`, should the mail arrive after the challenge returned."""
    mail_dir = os.environ.get("TOZ_TEST_MAIL_DIR")
    assert mail_dir, "TOZ_TEST_MAIL_DIR not set: run the suite through scripts/with-server.sh"
    header, prefix = f"X-Toz-Note-Id: {note_id}", "One-time code: "
    deadline = time.monotonic() + timeout
    newest: List[str] = []
    while True:
        mails = []
        for path in Path(mail_dir).iterdir():
            if not path.is_file() or path.name.startswith("."):  # ".incoming.*": being written
                continue
            lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
            if header in lines:
                mails.append((path.stat().st_mtime_ns, path.name, lines))
        if mails:
            newest = max(mails)[2]
            codes = [line[len(prefix):].strip() for line in newest if line.startswith(prefix)]
            if len(codes) == 1 and codes[0] and codes[0] not in used:
                return codes[0]
        assert time.monotonic() < deadline, \
            f"no new code mailed for note {note_id} in {mail_dir}; newest mail: {newest}"
        time.sleep(0.1)


def rfc3339(text: str) -> datetime:
    """An RFC 3339 time; fromisoformat takes neither "Z" (before 3.11) nor nanoseconds."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return datetime.fromisoformat(text)


def test_tozny_otp_note_is_read_with_a_password_its_writer_primed(env: Env, party: MakeParty) -> None:
    alice, bob, carol = party("py-alice"), party("py-bob"), party("py-carol")
    name = unique_name()
    policy = toz.Eacp(tozny_otp_eacp=toz.ToznyOtpEacp())
    note = alice.client.write_note({"door": "4711"}, bob.client.public_info(), id_string=name,
                                   eacp=policy)
    note_id = note.note_id or ""
    assert note.eacp == policy

    with pytest.raises(toz.ForbiddenError) as e:  # no password
        bob.client.read_note(note_id)
    assert e.value.http_status == 403
    with pytest.raises(toz.ForbiddenError):  # a wrong one
        bob.client.read_note(note_id, tozny_otp="not-the-password")
    # Only the writer may prime: not the recipient, nor anyone else.
    with anonymous(env) as anon:
        for intruder in (bob.client, carol.client, anon):
            with pytest.raises(toz.ForbiddenError):
                intruder.prime_note(note_id)

    otp = alice.client.prime_note(note_id, expiry_minutes=5)
    assert isinstance(otp, str) and otp
    read = bob.client.read_note(note_id, tozny_otp=otp)
    assert read.data == {"door": "4711"} and read.eacp == policy
    with pytest.raises(toz.ForbiddenError):  # single use
        bob.client.read_note(note_id, tozny_otp=otp)

    # A new prime replaces the password before it; by name too, with the default expiry.
    replaced, otp = alice.client.prime_note(note_id), alice.client.prime_note(note_id)
    assert replaced != otp
    with pytest.raises(toz.ForbiddenError):
        bob.client.read_note_by_name(name, tozny_otp=replaced)
    assert bob.client.read_note_by_name(name, tozny_otp=otp).data == {"door": "4711"}

    # Neither an email challenge nor a password for another note's policy.
    with pytest.raises(toz.HttpError) as refused:
        bob.client.challenge_note(note_id)
    assert refused.value.http_status == 400
    plain = alice.client.write_note({"no": "policy"}, bob.client.public_info())
    assert plain.eacp is None
    with pytest.raises(toz.HttpError) as refused:
        alice.client.prime_note(plain.note_id or "")
    assert refused.value.http_status == 400
    assert bob.client.read_note(plain.note_id or "").eacp is None


def test_email_note_is_read_with_the_code_a_challenge_mailed(env: Env, party: MakeParty) -> None:
    alice, bob, carol = party("py-alice"), party("py-bob"), party("py-carol")
    name = unique_name()
    email = toz.EmailEacp(email_address="bob@example.com", template_fields={"name": "Bob"},
                          default_expiration_minutes=30)
    note = alice.client.write_note({"pin": "2468"}, bob.client.public_info(),
                                   toz.NoteOptions(id_string=name, eacp=toz.Eacp(email_eacp=email)))
    note_id = note.note_id or ""
    assert note.eacp == toz.Eacp(email_eacp=email)

    with pytest.raises(toz.ForbiddenError):  # no code
        bob.client.read_note(note_id)
    before = datetime.now(timezone.utc)
    challenge = bob.client.challenge_note(note_id)
    assert isinstance(challenge, toz.NoteChallenge) and challenge.email_eacp is not None
    assert rfc3339(challenge.email_eacp.expires_at) > before
    code = mailed_code(note_id)

    with pytest.raises(toz.ForbiddenError):
        bob.client.read_note(note_id, email_otp=code + "0")  # a wrong code
    read = bob.client.read_note(note_id, email_otp=code)
    assert read.data == {"pin": "2468"} and read.eacp == toz.Eacp(email_eacp=email)
    with pytest.raises(toz.ForbiddenError):  # single use
        bob.client.read_note(note_id, email_otp=code)

    # The writer may challenge too, by name, with its own expiry; not someone else.
    with pytest.raises(toz.ForbiddenError):
        carol.client.challenge_note(note_id)
    before = datetime.now(timezone.utc)
    again = alice.client.challenge_note_by_name(name, template_name="py-template", expiry_minutes=5)
    assert again.email_eacp is not None and again.email_eacp.template_name == "py-template"
    expires = rfc3339(again.email_eacp.expires_at)
    assert before + timedelta(minutes=4) < expires <= datetime.now(timezone.utc) + timedelta(minutes=6)
    second = mailed_code(note_id, used=(code,))
    assert bob.client.read_note_by_name(name, email_otp=second).data == {"pin": "2468"}

    # A note without an email policy cannot be challenged.
    plain = alice.client.write_note({"no": "policy"}, bob.client.public_info())
    with pytest.raises(toz.HttpError) as e:
        bob.client.challenge_note(plain.note_id or "")
    assert e.value.http_status == 400 and e.value.kind == toz.ErrorKind.HTTP


def test_malformed_or_unsupported_policies_are_refused(party: MakeParty) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    for eacp in (toz.Eacp(email_eacp=toz.EmailEacp("")),  # no address
                 {"email_eacp": {"template": "t"}},
                 {"tozny_otp_eacp": {"include": "yes"}},
                 {"last_access_eacp": {"last_read_note_id": "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"}},
                 {"tozid_eacp": {"realm_name": "r"}}):
        with pytest.raises(toz.HttpError) as e:
            alice.client.write_note({"a": "b"}, bob.client.public_info(), eacp=eacp)
        assert e.value.http_status == 400, eacp


# --- files ------------------------------------------------------------------------------------


def check_progress(events: List[Event], stages: List[toz.ProgressStage], totals: List[int]) -> None:
    """The reports come stage after stage in order, each stage's `done` never goes down, the
    stage ends at its total, and a multi-block transfer reports more than once per stage."""
    assert [s for s, _ in itertools.groupby(e[0] for e in events)] == stages, events
    for stage, total in zip(stages, totals):
        mine = [(done, t) for s, done, t in events if s == stage]
        assert len(mine) > 1, (stage, mine)
        assert all(t == total for _, t in mine), (stage, total, mine)
        dones = [done for done, _ in mine]
        assert dones == sorted(dones) and dones[-1] == total and dones[0] < total, (stage, dones)
    assert all(type(e[0]) is toz.ProgressStage for e in events)


def write_random(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def test_file_round_trip_with_progress(party: MakeParty, record_type: str, tmp_path: Path) -> None:
    alice = party("py-alice")
    original = write_random(tmp_path / "photo.bin", 200 * 1024)
    up: List[Event] = []
    rec = alice.client.write_file(record_type, tmp_path / "photo.bin", {"album": "summer"},
                                  progress=lambda *a: up.append(a))
    assert isinstance(rec, toz.Record) and rec.meta.record_id and rec.meta.type == record_type
    assert rec.meta.plain == {"album": "summer"} and rec.meta.writer_id == alice.id
    meta = rec.meta.file_meta
    assert isinstance(meta, toz.FileMeta)
    assert meta.file_name == "photo.bin" and meta.compression == "raw" and meta.checksum
    assert meta.size > len(original)  # encrypted: headers and a tag per block
    # toz-server takes the upload in one pass: encrypted as it is sent.
    check_progress(up, [toz.ProgressStage.UPLOADING], [meta.size])

    down: List[Event] = []
    dest = tmp_path / "copy" / "photo.bin"
    dest.parent.mkdir()
    back = alice.client.read_file(rec.meta.record_id, dest, progress=lambda *a: down.append(a))
    assert dest.read_bytes() == original
    assert back.meta.record_id == rec.meta.record_id and back.meta.plain == {"album": "summer"}
    assert back.meta.file_meta is not None and back.meta.file_meta.size == meta.size
    check_progress(down, [toz.ProgressStage.DOWNLOADING], [meta.size])
    assert os.listdir(dest.parent) == ["photo.bin"]  # no partial file left beside it

    # Without a callback, and to a str path.
    other = str(tmp_path / "again.bin")
    alice.client.read_file(rec.meta.record_id, other)
    assert Path(other).read_bytes() == original
    small = write_random(tmp_path / "empty.bin", 0)
    empty = alice.client.write_file(record_type, str(tmp_path / "empty.bin"))
    alice.client.read_file(empty.meta.record_id or "", tmp_path / "empty.out")
    assert (tmp_path / "empty.out").read_bytes() == small


def test_file_sharing_and_revocation(party: MakeParty, record_type: str, tmp_path: Path) -> None:
    alice, bob = party("py-alice"), party("py-bob")
    original = write_random(tmp_path / "report.pdf", 70 * 1024)
    rid = alice.client.write_file(record_type, tmp_path / "report.pdf").meta.record_id or ""
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
        bob.client.read_file(rid, out / "report.pdf")
    assert os.listdir(out) == []

    alice.client.share(record_type, bob.id)
    bob.client.read_file(rid, out / "report.pdf")
    assert (out / "report.pdf").read_bytes() == original

    alice.client.revoke(record_type, bob.id)
    (out / "report.pdf").unlink()
    with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
        bob.client.read_file(rid, out / "report.pdf")
    assert os.listdir(out) == []
    with toz.Client(bob.credentials) as fresh:  # no cached access key either
        with pytest.raises((toz.ForbiddenError, toz.NotFoundError)):
            fresh.read_file(rid, out / "report.pdf")
    assert os.listdir(out) == []


def stored_blob(env: Env, size: int) -> Path:
    """The file the server keeps the encrypted bytes in: the only file of exactly that size in
    the server's blob directory (TOZ_TEST_BLOB_DIR, set by scripts/with-server.sh; beside the
    SQLite database when unset)."""
    db = Path(env.database.removeprefix("sqlite://"))
    root = Path(os.environ.get("TOZ_TEST_BLOB_DIR") or db.parent)
    found = [p for p in root.rglob("*")
             if p.is_file() and not p.name.startswith(db.name) and p.stat().st_size == size]
    assert len(found) == 1, f"expected one stored blob of {size} bytes under {root}, found {found}"
    return found[0]


def test_tampered_or_truncated_file_leaves_nothing(
    env: Env, party: MakeParty, record_type: str, tmp_path: Path
) -> None:
    alice = party("py-alice")
    write_random(tmp_path / "src.bin", 150 * 1024 + 7)  # a size no other test uses
    rec = alice.client.write_file(record_type, tmp_path / "src.bin")
    assert rec.meta.file_meta is not None
    blob = stored_blob(env, rec.meta.file_meta.size)
    out = tmp_path / "out"
    out.mkdir()

    stored = bytearray(blob.read_bytes())
    stored[len(stored) // 2] ^= 0x01
    blob.write_bytes(bytes(stored))
    with pytest.raises(toz.CryptoError):
        alice.client.read_file(rec.meta.record_id or "", out / "dst.bin")
    assert os.listdir(out) == []

    blob.write_bytes(bytes(stored[: len(stored) // 3]))  # truncated
    with pytest.raises(toz.CryptoError):
        alice.client.read_file(rec.meta.record_id or "", out / "dst.bin")
    assert os.listdir(out) == []


def test_checksum_first_upload_reports_encrypting_then_uploading(
    party: MakeParty, record_type: str, tmp_path: Path
) -> None:
    """With single-pass uploads off (as with servers other than toz-server) the file is
    encrypted to a temporary file first, for the MD5 that Tozny's protocol announces."""
    alice = party("py-checksum-first")
    original = write_random(tmp_path / "doc.bin", 150 * 1024)
    with toz.Client(alice.credentials, toz.ClientOptions(single_pass_uploads=False)) as client:
        up: List[Event] = []
        rec = client.write_file(record_type, tmp_path / "doc.bin", progress=lambda *a: up.append(a))
        meta = rec.meta.file_meta
        assert meta is not None
        check_progress(up, [toz.ProgressStage.ENCRYPTING, toz.ProgressStage.UPLOADING],
                       [len(original), meta.size])
        client.read_file(rec.meta.record_id or "", tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == original
    # Both ways give the same checksum field: the MD5 of the stored bytes, checked by the server.
    assert meta.checksum and len(base64.b64decode(meta.checksum)) == 16


def assert_cancelled_by(error: BaseException) -> None:
    """The binding raised the progress callable's own exception for the cancelled transfer,
    with libtoz's CancelledError as its context, left out of the traceback."""
    assert isinstance(error.__context__, toz.CancelledError), repr(error.__context__)
    assert error.__context__.kind == toz.ErrorKind.CANCELLED and error.__suppress_context__


def stored(client: toz.Client, record_type: str) -> List[str]:
    return [r.meta.record_id or "" for r in client.query(content_types=[record_type]).results]


def test_exception_in_progress_cancels_the_transfer_and_is_raised(
    party: MakeParty, record_type: str, tmp_path: Path
) -> None:
    alice = party("py-alice")
    original = write_random(tmp_path / "src.bin", 100 * 1024)
    calls: List[Event] = []

    def failing(stage: Union[toz.ProgressStage, int], done: int, total: int) -> None:
        calls.append((stage, done, total))
        raise RuntimeError(f"progress bar broke at {stage!r}")

    with pytest.raises(RuntimeError, match="UPLOADING") as raised:
        alice.client.write_file(record_type, tmp_path / "src.bin", progress=failing)
    assert len(calls) == 1  # the upload stopped at its first report
    assert_cancelled_by(raised.value)
    assert stored(alice.client, record_type) == []

    rid = alice.client.write_file(record_type, tmp_path / "src.bin").meta.record_id or ""
    out = tmp_path / "out"
    out.mkdir()
    calls.clear()
    with pytest.raises(RuntimeError, match="DOWNLOADING") as raised:
        alice.client.read_file(rid, out / "dst.bin", progress=failing)
    assert len(calls) == 1
    assert_cancelled_by(raised.value)
    assert os.listdir(out) == []  # no file at the destination, nor a partial one beside it
    # The client is still fine.
    alice.client.read_file(rid, out / "dst.bin", progress=lambda *a: None)
    assert (out / "dst.bin").read_bytes() == original


class Halfway(Exception):
    """Raised by a progress callable to cancel a transfer deliberately."""


def test_cancelling_halfway_stores_nothing_and_the_client_goes_on(
    party: MakeParty, record_type: str, tmp_path: Path
) -> None:
    alice = party("py-cancel")
    src = tmp_path / "src.bin"
    original = write_random(src, 300 * 1024)
    out = tmp_path / "out"
    out.mkdir()

    def cancel_halfway(transfer: Callable[[toz.Progress], object], stage: toz.ProgressStage) -> None:
        """Runs `transfer(progress)` with a progress callable that cancels it once half of the
        bytes are done, and checks it stopped there, in `stage`, raising Halfway."""
        events: List[Event] = []

        def halfway(stage: Union[toz.ProgressStage, int], done: int, total: int) -> None:
            events.append((stage, done, total))
            if done * 2 >= total:
                raise Halfway(stage)

        with pytest.raises(Halfway) as raised:
            transfer(halfway)
        assert raised.value.args == (stage,)
        assert_cancelled_by(raised.value)
        assert len(events) > 1 and all(e[0] == stage for e in events), events
        assert all(done * 2 < total for _, done, total in events[:-1]), events  # none after it
        assert events[-1][1] < events[-1][2], events  # stopped before the end

    # A single-pass upload (toz-server, by default) is cancelled while uploading...
    cancel_halfway(lambda p: alice.client.write_file(record_type, src, progress=p),
                   toz.ProgressStage.UPLOADING)
    assert stored(alice.client, record_type) == []
    # ... a checksum-first one while encrypting, before it sent anything.
    with toz.Client(alice.credentials, toz.ClientOptions(single_pass_uploads=False)) as client:
        cancel_halfway(lambda p: client.write_file(record_type, src, progress=p),
                       toz.ProgressStage.ENCRYPTING)
    assert stored(alice.client, record_type) == []

    # The client still works, and a download is cancelled too, leaving nothing behind.
    rid = alice.client.write_file(record_type, src).meta.record_id or ""
    assert stored(alice.client, record_type) == [rid]
    cancel_halfway(lambda p: alice.client.read_file(rid, out / "dst.bin", progress=p),
                   toz.ProgressStage.DOWNLOADING)
    assert os.listdir(out) == []
    alice.client.read_file(rid, out / "dst.bin")
    assert (out / "dst.bin").read_bytes() == original


def test_concurrent_transfers_report_to_their_own_callbacks(
    party: MakeParty, record_type: str, tmp_path: Path
) -> None:
    alice = party("py-concurrent-files")
    start = threading.Barrier(4)
    errors: List[BaseException] = []

    def work(t: int) -> None:
        try:
            size = (130 + 10 * t) * 1024 + t  # a size per thread: a report reaching the wrong
            src = tmp_path / f"src{t}"  # callback would show up as a wrong total
            original = write_random(src, size)
            events: List[Event] = []
            start.wait()
            rec = alice.client.write_file(record_type, src, progress=lambda *a: events.append(a))
            enc_size = rec.meta.file_meta.size if rec.meta.file_meta else -1
            check_progress(events, [toz.ProgressStage.UPLOADING], [enc_size])
            events.clear()
            alice.client.read_file(rec.meta.record_id or "", tmp_path / f"dst{t}",
                                   progress=lambda *a: events.append(a))
            check_progress(events, [toz.ProgressStage.DOWNLOADING], [enc_size])
            assert (tmp_path / f"dst{t}").read_bytes() == original
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    first: Optional[BaseException] = errors[0] if errors else None
    if first is not None:
        raise first


def test_progress_bar_example(party: MakeParty, record_type: str, tmp_path: Path) -> None:
    """examples/file_progress.py, the README's progress bar, runs and draws every stage."""
    alice = party("py-example")
    alice.credentials.save_file(tmp_path / "e3db.json")
    original = write_random(tmp_path / "big.bin", 300 * 1024)
    example = Path(__file__).resolve().parents[1] / "examples" / "file_progress.py"
    run = subprocess.run(
        [sys.executable, str(example), str(tmp_path / "e3db.json"), str(tmp_path / "big.bin"),
         str(tmp_path / "back.bin"), record_type],
        capture_output=True, timeout=120,  # bytes: text mode would turn "\r" into "\n"
    )
    stderr, stdout = run.stderr.decode(), run.stdout.decode()
    assert run.returncode == 0, stderr
    assert (tmp_path / "back.bin").read_bytes() == original
    lines = stderr.rstrip("\n").split("\n")  # one line per stage, redrawn after each "\r"
    assert [line.split("\r")[-1].split("[")[0].strip() for line in lines] == \
        ["uploading", "downloading"], lines
    assert all(line.endswith("[" + "#" * 30 + "] 100%") for line in lines), lines
    assert all(line.count("\r") > 2 for line in lines), lines  # redrawn as the bytes went by
    assert "stored" in stdout and "decrypted it to" in stdout
