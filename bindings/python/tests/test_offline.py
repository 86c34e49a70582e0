"""Everything that needs no server: the ABI declarations, errors, handles, access keys, offline
record crypto, credentials, sealing, files and profiles."""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import stat
import subprocess
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

import toz
from toz import _ffi
from conftest import HEADER

FAST_SEAL = toz.SealOptions(opslimit=1, memlimit=8 * 1024 * 1024)


def header_text() -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", HEADER.read_text(), flags=re.S)


def header_prototypes() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, parameter types) of every function in toz.h."""
    protos = {}
    for ret, name, params in re.findall(r"([\w \t\*]+?)\b(toz_\w+)\s*\(([^)]*)\)\s*;", header_text()):
        ret = " ".join(ret.replace("TOZ_MUST_USE", "").split())
        types = [re.sub(r"\s*\b\w+$", "", " ".join(p.split())) for p in params.split(",")]
        protos[name] = (ret, [] if params.strip() == "void" else types)
    return protos


# --- the ABI and the library ------------------------------------------------------------------


def test_every_header_function_is_declared_with_matching_types() -> None:
    protos = header_prototypes()
    assert len(protos) >= 40
    assert set(protos) == set(_ffi._SIGNATURES)
    expected = {
        "const char *": ctypes.c_char_p,
        "char **": _ffi._OUT,
        "bool": ctypes.c_bool,
        "int32_t": ctypes.c_int32,  # toz_client_prime_note's expiry_minutes
        "char *": ctypes.c_void_p,  # toz_free_string takes back an owned string
        "toz_progress_fn": _ffi.PROGRESS_FN,  # the file transfers' progress callback
        "void *": ctypes.c_void_p,  # its user_data
    }
    returns = {
        "struct toz_error *": ctypes.c_void_p,  # owned error, kept as a pointer to free
        "const char *": ctypes.c_char_p,  # borrowed (toz_version, toz_error_get_message)
        "uint32_t": ctypes.c_uint32,
        "toz_error_kind": ctypes.c_uint32,
        "uint16_t": ctypes.c_uint16,
        "void": None,
    }
    for name, (ret, params) in protos.items():
        restype, argtypes = _ffi._SIGNATURES[name]
        assert restype is returns[ret], (name, ret)
        assert len(argtypes) == len(params), name
        for ctype, param in zip(argtypes, params):
            if param in expected:
                assert ctype is expected[param], (name, param)
            elif param.endswith("**"):  # handle out-parameter
                assert ctype is _ffi._OUT, (name, param)
            else:  # a handle or error pointer
                assert param.startswith(("const struct toz_", "struct toz_")), (name, param)
                assert ctype is ctypes.c_void_p, (name, param)


def test_progress_callback_type_matches_the_header_typedef() -> None:
    typedef = re.search(r"typedef (\w+) \(\*toz_progress_fn\)\(([^)]*)\);", header_text())
    assert typedef, "toz_progress_fn typedef not found"
    params = [re.sub(r"\s*\b\w+$", "", " ".join(p.split())) for p in typedef.group(2).split(",")]
    assert (typedef.group(1), params) == ("int", ["void *", "uint32_t", "uint64_t", "uint64_t"])
    assert _ffi.PROGRESS_FN._restype_ is ctypes.c_int
    assert tuple(_ffi.PROGRESS_FN._argtypes_) == (
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint64
    )
    uses = [n for n, (_, params) in header_prototypes().items() if "toz_progress_fn" in params]
    assert sorted(uses) == ["toz_client_read_file", "toz_client_write_file"]
    for name in uses:  # the callback is always followed by its user_data
        params = header_prototypes()[name][1]
        assert params[params.index("toz_progress_fn") + 1] == "void *", name


def test_version_and_abi_match_the_header() -> None:
    text = HEADER.read_text()
    version = re.search(r'#define TOZ_VERSION_STRING "([^"]+)"', text)
    abi = re.search(r"#define TOZ_ABI_VERSION (\d+)", text)
    assert version and abi
    assert toz.version() == version.group(1) == toz.__version__
    assert toz.abi_version() == int(abi.group(1)) == toz.ABI_VERSION == 2


def test_error_kinds_match_the_header_exactly() -> None:
    kinds = {k: int(v) for k, v in re.findall(r"\bTOZ_ERROR_KIND_(\w+) = (\d+)", header_text())}
    assert kinds == {k.name: k.value for k in toz.ErrorKind}
    for kind in toz.ErrorKind:
        err = toz.error_for(kind, "m", 418)
        assert type(err) is toz.ERROR_CLASSES[kind]
        assert isinstance(err, toz.TozError)
        assert (err.kind, err.message, err.http_status) == (kind, "m", 418)
        assert kind.name in str(err)
    future = toz.error_for(4242, "newer kind")
    assert type(future) is toz.TozError and future.kind == 4242


def test_error_families() -> None:
    assert issubclass(toz.NullArgumentError, toz.InvalidArgumentError)
    assert issubclass(toz.InvalidArgumentError, ValueError)
    assert issubclass(toz.WrongPassphraseError, toz.CryptoError)
    assert issubclass(toz.TozTimeoutError, toz.NetworkError)
    assert issubclass(toz.ConflictError, toz.HttpError)
    assert not issubclass(toz.TozTimeoutError, TimeoutError)  # does not shadow the built-in


def test_null_and_bad_utf8_reach_the_library_as_errors() -> None:
    out = ctypes.c_void_p()
    with pytest.raises(toz.NullArgumentError, match="access_key"):
        _ffi.check(_ffi.lib.toz_record_encrypt(None, b"{}", ctypes.byref(out)))
    with pytest.raises(toz.NullArgumentError):
        _ffi.check(_ffi.lib.toz_access_key_generate(None))
    with pytest.raises(toz.InvalidUtf8Error):
        _ffi.check(_ffi.lib.toz_access_key_from_string(b"\xff\xfe", ctypes.byref(out)))
    assert out.value is None  # out-parameters are written only on success
    # The infallible getters and the free functions accept NULL.
    assert _ffi.lib.toz_error_get_kind(None) == toz.ErrorKind.NULL_ARGUMENT
    assert _ffi.lib.toz_error_get_message(None) == b""
    assert _ffi.lib.toz_error_get_http_status(None) == 0
    for free in ("toz_free_error", "toz_free_string", "toz_free_access_key",
                 "toz_free_credentials", "toz_free_client"):
        getattr(_ffi.lib, free)(None)


def test_python_misuse_is_refused_before_the_library() -> None:
    with pytest.raises(toz.InvalidArgumentError, match="NUL"):
        toz.AccessKey.from_string("abc\0def")
    with pytest.raises(toz.InvalidUtf8Error):  # a lone surrogate crosses as invalid UTF-8
        toz.AccessKey.from_string("\udcff")
    with pytest.raises(TypeError, match="access_key must be a toz.AccessKey"):
        toz.encrypt_record(None, {"a": "b"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="credentials must be a toz.Credentials"):
        toz.Client(toz.AccessKey.generate())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        toz.AccessKey.from_string(b"bytes")  # type: ignore[arg-type]


# --- handles ----------------------------------------------------------------------------------


def test_close_is_idempotent_and_use_after_close_raises_closed() -> None:
    ak = toz.AccessKey.generate()
    text = ak.to_string()
    ak.close()
    ak.close()
    assert ak.closed
    with pytest.raises(toz.ClosedError) as e:
        ak.to_string()
    assert e.value.kind == toz.ErrorKind.CLOSED and e.value.http_status == 0
    assert "AccessKey is closed" in str(e.value)
    with pytest.raises(toz.ClosedError):
        toz.encrypt_record(ak, {"a": "b"})
    assert toz.AccessKey.from_string(text).to_string() == text

    with toz.Credentials.generate() as creds:
        assert not creds.closed
    assert creds.closed
    with pytest.raises(toz.ClosedError):
        creds.public_info()
    with pytest.raises(toz.ClosedError):
        toz.Client(creds)
    with pytest.raises(toz.ClosedError):
        toz.AccessKey.generate().wrap("x", creds)
    assert "closed" in repr(creds)


def test_finalizer_frees_unreferenced_handles() -> None:
    import gc
    import weakref

    ak = toz.AccessKey.generate()
    ref = weakref.ref(ak)
    del ak
    gc.collect()
    assert ref() is None


# --- access keys and offline records -----------------------------------------------------------


RECORD = {"name": "Alice", "ssn": "123-45-6789", "empty": "", "unicode": "żółw 🐢"}


def test_access_key_string_round_trip() -> None:
    ak = toz.AccessKey.generate()
    text = ak.to_string()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", text)
    assert toz.AccessKey.from_string(text + "=").to_string() == text  # padding accepted
    assert toz.AccessKey.generate().to_string() != text
    with pytest.raises(toz.InvalidArgumentError):
        toz.AccessKey.from_string("too-short")


def test_encrypt_decrypt_round_trip_and_failures() -> None:
    ak = toz.AccessKey.generate()
    enc = toz.encrypt_record(ak, RECORD)
    assert set(enc) == set(RECORD)
    assert all(len(v.split(".")) == 4 for v in enc.values())
    assert "Alice" not in json.dumps(enc)
    assert toz.decrypt_record(ak, enc) == RECORD
    assert toz.encrypt_record(ak, RECORD) != enc  # fresh nonces every time

    with pytest.raises(toz.CryptoError):
        toz.decrypt_record(toz.AccessKey.generate(), enc)
    edk, edkn, ef, efn = enc["name"].split(".")
    tampered = dict(enc, name=".".join([edk, edkn, ef[:-2] + ("AA" if ef[-2:] != "AA" else "BB"), efn]))
    with pytest.raises(toz.CryptoError, match="name"):
        toz.decrypt_record(ak, tampered)
    with pytest.raises(toz.InvalidArgumentError):
        toz.decrypt_record(ak, {"name": "not-a-field"})
    with pytest.raises(toz.JsonError):
        toz.encrypt_record(ak, {"n": 1})  # type: ignore[dict-item]


def test_wrap_and_unwrap_between_two_clients() -> None:
    alice, bob, carol = (toz.Credentials.generate() for _ in range(3))
    ak = toz.AccessKey.generate()
    eak = ak.wrap(bob.public_info().public_key, alice)
    alice_pub = alice.public_info().public_key
    assert toz.AccessKey.unwrap(eak, alice_pub, bob).to_string() == ak.to_string()
    with pytest.raises(toz.CryptoError):
        toz.AccessKey.unwrap(eak, alice_pub, carol)
    with pytest.raises(toz.TozError):
        ak.wrap("not a key", alice)


# --- credentials -------------------------------------------------------------------------------


def test_generate_public_info_and_json_round_trip() -> None:
    creds = toz.Credentials.generate("http://127.0.0.1:9")
    info = creds.public_info()
    assert isinstance(info, toz.PublicInfo)
    assert info.version == 2 and info.client_id == "" and info.api_url == "http://127.0.0.1:9"
    assert toz.Credentials.generate().public_info().api_url == "https://api.e3db.com"
    text = creds.to_json()
    parsed = json.loads(text)
    assert parsed["public_key"] == info.public_key and "private_key" in parsed
    assert toz.Credentials.from_json(text).public_info() == info
    parsed["version"] = "2"  # Tozny SDKs write it as a string too
    assert toz.Credentials.from_json(json.dumps(parsed)).public_info() == info


def test_malformed_and_mismatched_credentials() -> None:
    with pytest.raises(toz.JsonError):
        toz.Credentials.from_json("{not json")
    with pytest.raises(toz.JsonError):
        toz.Credentials.from_json("{}")
    one = json.loads(toz.Credentials.generate().to_json())
    one["public_key"] = toz.Credentials.generate().public_info().public_key
    with pytest.raises(toz.InvalidArgumentError, match="public_key"):
        toz.Credentials.from_json(json.dumps(one))


def test_seal_and_unseal() -> None:
    creds = toz.Credentials.generate()
    sealed = creds.seal("correct horse", FAST_SEAL)
    assert creds.public_info().public_key not in sealed
    assert toz.Credentials.unseal(sealed, "correct horse").to_json() == creds.to_json()
    with pytest.raises(toz.WrongPassphraseError) as e:
        toz.Credentials.unseal(sealed, "wrong horse")
    assert e.value.kind == toz.ErrorKind.WRONG_PASSPHRASE
    as_dict = creds.seal("p", {"opslimit": 1, "memlimit": 8 * 1024 * 1024})
    assert toz.Credentials.unseal(as_dict, "p").public_info() == creds.public_info()
    with pytest.raises(toz.InvalidArgumentError):
        creds.seal("p", {"opslimit": 1, "memlimit": 1024})
    with pytest.raises(toz.JsonError):
        creds.seal("p", {"opslimit": "many", "memlimit": 8 * 1024 * 1024})
    with pytest.raises(toz.InvalidArgumentError):
        creds.seal("", FAST_SEAL)
    with pytest.raises((toz.JsonError, toz.InvalidArgumentError)):
        toz.Credentials.unseal("not sealed", "p")


def test_save_and_load_file(tmp_path: Path) -> None:
    creds = toz.Credentials.generate()
    path = tmp_path / "dir" / "e3db.json"
    creds.save_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert toz.Credentials.load_file(path).public_info() == creds.public_info()
    assert toz.Credentials.load_file(str(path)).to_json() == creds.to_json()
    other = toz.Credentials.generate()
    with pytest.raises(toz.AlreadyExistsError):
        other.save_file(path)
    assert toz.Credentials.load_file(path).public_info() == creds.public_info()
    other.save_file(path, overwrite=True)
    assert toz.Credentials.load_file(path).public_info() == other.public_info()
    with pytest.raises(toz.NotFoundError):
        toz.Credentials.load_file(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("[1, 2")
    with pytest.raises(toz.JsonError):
        toz.Credentials.load_file(tmp_path / "bad.json")


def test_profiles_live_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    work, default = toz.Credentials.generate(), toz.Credentials.generate()
    work.save_profile("work")
    default.save_profile()
    assert (tmp_path / ".tozny" / "work" / "e3db.json").is_file()
    assert (tmp_path / ".tozny" / "e3db.json").is_file()
    assert toz.Credentials.load_profile("work").public_info() == work.public_info()
    assert toz.Credentials.load_profile().public_info() == default.public_info()
    assert toz.Credentials.load_profile("").public_info() == default.public_info()
    with pytest.raises(toz.AlreadyExistsError):
        default.save_profile("work")
    default.save_profile("work", overwrite=True)
    assert toz.Credentials.load_profile("work").public_info() == default.public_info()
    with pytest.raises(toz.InvalidArgumentError):
        work.save_profile("../escape")
    with pytest.raises(toz.NotFoundError):
        toz.Credentials.load_profile("missing")
    monkeypatch.delenv("HOME")
    with pytest.raises(toz.TozIOError, match="HOME"):
        toz.Credentials.load_profile("work")
    assert not os.path.exists(tmp_path / "escape")


# --- notes, files and the anonymous client, without a server ----------------------------------

NOWHERE = "http://127.0.0.1:1"  # loopback port nobody listens on


def anonymous_client() -> toz.Client:
    return toz.Client(toz.Credentials.generate(NOWHERE), {"retries": 0, "timeout_ms": 3000})


def test_anonymous_client_is_refused_everything_but_notes_before_any_request(tmp_path: Path) -> None:
    creds = toz.Credentials.generate(NOWHERE)
    with toz.Client(creds) as client:
        info = client.public_info()
        assert info == creds.public_info() and info.client_id == ""
        # Refused by the library before a connection is tried (else: NetworkError).
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            client.write_record("t", {"a": "b"})
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            client.share("t", "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11")
        src = tmp_path / "src"
        src.write_bytes(b"hello")
        calls: List[Tuple[object, int, int]] = []
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            client.write_file("t", src, progress=lambda *a: calls.append(a))
        with pytest.raises(toz.InvalidArgumentError, match="unregistered"):
            client.read_file("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11", tmp_path / "dst",
                             progress=lambda *a: calls.append(a))
        assert calls == [] and sorted(os.listdir(tmp_path)) == ["src"]
        # Notes are attempted: the request reaches the network layer.
        recipient = toz.Credentials.generate().public_info()
        with pytest.raises(toz.NetworkError):
            client.write_note({"a": "b"}, recipient)
        with pytest.raises(toz.NetworkError):
            client.read_note("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11")


def test_note_arguments_are_checked_before_any_request() -> None:
    recipient = toz.Credentials.generate().public_info()
    keys = toz.NoteRecipient.from_public_info(recipient)
    assert keys == toz.NoteRecipient(recipient.public_key, recipient.public_signing_key)
    with anonymous_client() as client:
        # The three recipient forms all reach the network (and fail there, not before).
        for to in (recipient, keys, {"public_key": keys.public_key,
                                     "public_signing_key": keys.public_signing_key}):
            with pytest.raises(toz.NetworkError):
                client.write_note({"a": "b"}, to, max_views=2)
        with pytest.raises(toz.JsonError):  # missing public_signing_key
            client.write_note({"a": "b"}, {"public_key": keys.public_key})
        with pytest.raises(toz.InvalidArgumentError, match="public_key"):
            client.write_note({"a": "b"}, toz.NoteRecipient("not-a-key", keys.public_signing_key))
        with pytest.raises(toz.JsonError):
            client.write_note({"n": 1}, keys)  # type: ignore[dict-item]
        with pytest.raises(toz.JsonError):
            client.write_note({"a": "b"}, keys, {"no_such_option": 1})
        with pytest.raises(toz.JsonError):
            client.write_note({"a": "b"}, keys, toz.NoteOptions(max_views="two"))  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            client.write_note({"a": "b"}, keys, toz.NoteOptions(id_string="x"), max_views=1)
        with pytest.raises(TypeError):
            client.write_note({"a": "b"}, keys, no_such_option=1)
        with pytest.raises(toz.InvalidArgumentError, match="id_string"):
            client.replace_note({"a": "b"}, keys)
        with pytest.raises(toz.InvalidArgumentError, match="id_string"):
            client.replace_note({"a": "b"}, keys, toz.NoteOptions(max_views=1))
        with pytest.raises(toz.NetworkError):  # named: attempted
            client.replace_note({"a": "b"}, keys, id_string="py-name")
        with pytest.raises(toz.InvalidArgumentError, match="NUL"):
            client.read_note("a\0b")
        with pytest.raises(toz.InvalidUtf8Error):
            client.read_note_by_name("\udcff")
        with pytest.raises(toz.InvalidUtf8Error):
            client.delete_note("\udcff")
        with pytest.raises(toz.NullArgumentError, match="note_id"):  # None crosses as NULL
            client.read_note(None)  # type: ignore[arg-type]


def test_note_policy_arguments_are_checked_before_any_request() -> None:
    note_id = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"
    keys = toz.Credentials.generate().public_info()
    with anonymous_client() as client:
        # Well-formed calls are attempted: the request reaches the network.
        attempts: Dict[str, Callable[[], object]] = {
            "write_note": lambda: client.write_note({"a": "b"}, keys, eacp=toz.Eacp(
                tozny_otp_eacp=toz.ToznyOtpEacp(),
                email_eacp=toz.EmailEacp("a@b.example", template_fields={"k": "v"}))),
            "read_note": lambda: client.read_note(note_id, tozny_otp="otp", email_otp="code"),
            "read_note_by_name": lambda: client.read_note_by_name("n", email_otp="code"),
            "tozid_login_token": lambda: client.read_note(note_id, tozid_login_token="t"),
            "prime_note": lambda: client.prime_note(note_id, 30),
            "challenge_note": lambda: client.challenge_note(note_id, template_name="t",
                                                            expiry_minutes=5),
            "challenge_note_by_name": lambda: client.challenge_note_by_name("n"),
        }
        for name, attempt in attempts.items():
            with pytest.raises(toz.NetworkError):
                attempt()
        with pytest.raises(toz.InvalidUtf8Error):
            client.read_note("\udcff", tozny_otp="otp")
        with pytest.raises(toz.InvalidUtf8Error):
            client.read_note_by_name("n", email_otp="\udcff")
        with pytest.raises(toz.InvalidUtf8Error):
            client.prime_note("\udcff")
        with pytest.raises(toz.InvalidUtf8Error):
            client.challenge_note_by_name("\udcff")
        with pytest.raises(toz.InvalidArgumentError, match="NUL"):
            client.prime_note("a\0b")
        with pytest.raises(toz.NullArgumentError, match="note_id"):
            client.prime_note(None)  # type: ignore[arg-type]
        with pytest.raises(toz.InvalidArgumentError, match="32 bits"):  # not wrapped around
            client.prime_note(note_id, 2**32 + 5)
        with pytest.raises(TypeError):
            client.prime_note(note_id, "5")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="tozny_otp must be str"):
            client.read_note(note_id, tozny_otp=1234)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="expiry_minutes must be int"):
            client.challenge_note(note_id, expiry_minutes="5")  # type: ignore[arg-type]


def test_gated_note_requests_are_checked_by_the_library() -> None:
    """The request objects of toz_client_read_note_with_eacp / _challenge_note, as the library
    sees them: malformed JSON, no address or two, and a NULL client."""
    note_id = "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11"
    out = ctypes.c_void_p()
    with anonymous_client() as client, client._borrow() as ptr:  # the live toz_client *
        for fn in (_ffi.lib.toz_client_read_note_with_eacp, _ffi.lib.toz_client_challenge_note):
            with pytest.raises(toz.JsonError):
                _ffi.check(fn(ptr, b"not json", ctypes.byref(out)))
            with pytest.raises(toz.InvalidArgumentError):  # neither note_id nor id_string
                _ffi.check(fn(ptr, b"{}", ctypes.byref(out)))
            both = json.dumps({"note_id": note_id, "id_string": "n"}).encode()
            with pytest.raises(toz.InvalidArgumentError):
                _ffi.check(fn(ptr, both, ctypes.byref(out)))
            with pytest.raises(toz.NullArgumentError):
                _ffi.check(fn(ptr, None, ctypes.byref(out)))
            with pytest.raises(toz.NullArgumentError):
                _ffi.check(fn(None, json.dumps({"note_id": note_id}).encode(), ctypes.byref(out)))
        with pytest.raises(toz.NullArgumentError):
            _ffi.check(_ffi.lib.toz_client_prime_note(None, note_id.encode(), 0, ctypes.byref(out)))
    assert out.value is None  # never written on failure


def test_note_policies_cross_with_wire_names() -> None:
    email = toz.EmailEacp("a@b.example", provider_link="https://b.example/read",
                          default_expiration_minutes=15)
    opts = toz.NoteOptions(id_string="n", eacp=toz.Eacp(toz.ToznyOtpEacp(), email))
    assert toz.types.wire(opts) == {"id_string": "n", "eacp": {
        "tozny_otp_eacp": {"include": True},
        "email_eacp": {"email_address": "a@b.example", "provider_link": "https://b.example/read",
                       "default_expiration_minutes": 15}}}
    stored = {"recipient_signing_key": "r", "writer_signing_key": "w", "writer_encryption_key": "e",
              "encrypted_access_key": "k", "eacp": {"email_eacp": {
                  "email_address": "a@b.example", "template": "t", "template_fields": {"x": "y"}}}}
    note = toz.Note.from_json(stored)
    assert note.eacp == toz.Eacp(email_eacp=toz.EmailEacp("a@b.example", template="t",
                                                          template_fields={"x": "y"}))
    del stored["eacp"]
    assert toz.Note.from_json(stored).eacp is None
    challenge = toz.NoteChallenge.from_json(
        {"email_eacp": {"expires_at": "2030-01-02T03:04:05Z", "template_name": "otp"}})
    assert challenge == toz.NoteChallenge(toz.EmailChallenge("2030-01-02T03:04:05Z", "otp"))


def test_file_arguments_are_checked_before_any_request(tmp_path: Path) -> None:
    with anonymous_client() as client:
        with pytest.raises(toz.NotFoundError, match="file to upload"):
            client.write_file("t", tmp_path / "missing")
        (tmp_path / "src").write_bytes(b"x")
        with pytest.raises(toz.JsonError):
            client.write_file("t", tmp_path / "src", {"size": 5})  # type: ignore[dict-item]
        with pytest.raises(toz.InvalidArgumentError, match="NUL"):
            client.write_file("t", str(tmp_path / "src") + "\0")
        with pytest.raises(toz.InvalidUtf8Error):
            client.read_file("\udcff", tmp_path / "dst")
        with pytest.raises(TypeError):
            client.read_file("id", b"/tmp/bytes-path")  # type: ignore[arg-type]
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_every_new_client_call_raises_closed_after_close(tmp_path: Path) -> None:
    client = anonymous_client()
    keys = toz.Credentials.generate().public_info()
    client.close()
    calls: Dict[str, Callable[[], object]] = {
        "public_info": lambda: client.public_info(),
        "write_note": lambda: client.write_note({"a": "b"}, keys),
        "replace_note": lambda: client.replace_note({"a": "b"}, keys, id_string="n"),
        "read_note": lambda: client.read_note("n"),
        "read_note_by_name": lambda: client.read_note_by_name("n"),
        "delete_note": lambda: client.delete_note("n"),
        "read_note with a proof": lambda: client.read_note("n", tozny_otp="otp"),
        "read_note_by_name with a proof": lambda: client.read_note_by_name("n", email_otp="c"),
        "prime_note": lambda: client.prime_note("n"),
        "challenge_note": lambda: client.challenge_note("n"),
        "challenge_note_by_name": lambda: client.challenge_note_by_name("n"),
        "write_file": lambda: client.write_file("t", tmp_path / "f"),
        "read_file": lambda: client.read_file("r", tmp_path / "f"),
    }
    for name, fn in calls.items():
        with pytest.raises(toz.ClosedError):
            fn()


def test_progress_trampoline_reports_stages_and_cancels_on_an_exception() -> None:
    from toz.client import _stage

    seen: List[Tuple[object, int, int]] = []
    with _ffi.ProgressTrampoline(lambda *a: seen.append(a), _stage) as trampoline:
        # Calls through the C function pointer, as libtoz makes them; 0 is "go on".
        answers = [trampoline.c_function(None, 1, 5, 10), trampoline.c_function(None, 3, 10, 10),
                   trampoline.c_function(None, 9, 1, 2)]  # a stage newer than this binding
    assert answers == [0, 0, 0]  # and leaving the block raised nothing
    assert seen == [(toz.ProgressStage.ENCRYPTING, 5, 10), (toz.ProgressStage.DOWNLOADING, 10, 10), (9, 1, 2)]
    assert type(seen[0][0]) is toz.ProgressStage and type(seen[2][0]) is int  # the new stage stays an int

    def boom(stage: object, done: int, total: int) -> None:
        seen.append((stage, done, total))
        raise KeyError(f"boom at {done}")

    seen.clear()
    failing = _ffi.ProgressTrampoline(boom, _stage)
    with pytest.raises(KeyError, match="boom at 1") as raised:
        with failing:
            # The exception does not cross the C frame: the answer is "cancel", and stays so
            # without calling the callable again.
            answers = [failing.c_function(None, 2, 1, 3), failing.c_function(None, 2, 2, 3)]
            # libtoz then fails the call with CANCELLED, which the binding raises.
            raise toz.error_for(toz.ErrorKind.CANCELLED, "the transfer was cancelled")
    assert answers == [1, 1] and seen == [(toz.ProgressStage.UPLOADING, 1, 3)]
    # The callable's exception replaces the CancelledError, which is kept as its context.
    assert isinstance(raised.value.__context__, toz.CancelledError)
    assert raised.value.__suppress_context__
    with failing:
        pass  # raised once

    null = _ffi.ProgressTrampoline(None, _stage)
    assert not null.c_function  # NULL: libtoz reports nothing


def test_ctrl_c_during_a_transfer_cancels_it_at_the_next_report(tmp_path: Path) -> None:
    """CPython raises KeyboardInterrupt at the entry of the next Python function, which during
    a transfer is the C callback: the trampoline must turn SIGINT into a cancellation rather
    than let ctypes drop the exception. A C stub stands in for libtoz: it reports progress, and
    raises SIGINT just before one of its reports, as a Ctrl-C arriving while libtoz works."""
    from toz.client import _stage

    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    assert cc, "a C compiler (cc) is needed to build the stub library of this test"
    (tmp_path / "drive.c").write_text(r"""
#include <signal.h>
#include <stdint.h>
/* Reports `reports` times, as libtoz would, until the callback cancels: then returns the
   number of the report that cancelled (1-based); 0 when none did. SIGINT comes before report
   `interrupt_at`. */
int drive(int (*progress)(void *, uint32_t, uint64_t, uint64_t), int reports, int interrupt_at) {
  for (int i = 1; i <= reports; i++) {
    if (i == interrupt_at) raise(SIGINT);
    if (progress(0, 2, (uint64_t)i, (uint64_t)reports)) return i;
  }
  return 0;
}
""")
    stub = tmp_path / "libdrive.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(stub), str(tmp_path / "drive.c")], check=True)
    drive = ctypes.CDLL(str(stub)).drive
    drive.argtypes, drive.restype = [_ffi.PROGRESS_FN, ctypes.c_int, ctypes.c_int], ctypes.c_int

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's own
    seen: List[Tuple[object, int, int]] = []
    trampoline = _ffi.ProgressTrampoline(lambda *a: seen.append(a), _stage)
    with pytest.raises(KeyboardInterrupt):
        with trampoline:
            cancelled_at = drive(trampoline.c_function, 5, 3)
    assert cancelled_at == 3 and [done for _, done, _ in seen] == [1, 2]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back

    # A handler the application installed is left alone (and the stub's SIGINT goes to it).
    interrupts: List[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: interrupts.append(signum))
    try:
        with _ffi.ProgressTrampoline(lambda *a: None, _stage) as trampoline:
            assert drive(trampoline.c_function, 5, 3) == 0  # ran to its end
        assert interrupts == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_file_meta_is_parsed_and_written_back_with_wire_names() -> None:
    wire = {"meta": {"record_id": "r", "writer_id": "w", "user_id": "w", "type": "t", "plain": {},
                     "version": "v", "file_meta": {"file_url": "http://x/f", "file_name": "a.bin",
                                                   "checksum": "c==", "compression": "raw", "size": 42}},
            "data": {}}
    rec = toz.Record.from_json(wire)
    assert rec.meta.file_meta == toz.FileMeta(checksum="c==", compression="raw", size=42,
                                              file_name="a.bin", file_url="http://x/f")
    assert rec.to_json()["meta"]["file_meta"] == wire["meta"]["file_meta"]
    plain = toz.Record.from_json({"meta": {"type": "t"}, "data": {"a": "b"}})
    assert plain.meta.file_meta is None and "file_meta" not in plain.to_json()["meta"]
