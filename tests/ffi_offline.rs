//! The offline half of the C ABI, called exactly as C would call it: NULL arguments, invalid
//! UTF-8, malformed JSON, ownership of outputs, and the secrets-never-in-messages rule.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use toz::ffi::*;
use toz::sdk::ErrorKind;

/// Takes an error object, returns (kind, message) and frees it.
fn take_error(err: *mut toz_error) -> Option<(ErrorKind, String)> {
    if err.is_null() {
        return None;
    }
    unsafe {
        let kind = toz_error_get_kind(err);
        let msg = CStr::from_ptr(toz_error_get_message(err))
            .to_string_lossy()
            .into_owned();
        toz_free_error(err);
        Some((kind, msg))
    }
}

fn ok(err: *mut toz_error) {
    if let Some((kind, msg)) = take_error(err) {
        panic!("unexpected error {kind:?}: {msg}");
    }
}

fn kind(err: *mut toz_error) -> ErrorKind {
    take_error(err).expect("expected an error").0
}

fn take_string(s: *mut c_char) -> String {
    assert!(!s.is_null());
    let out = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_string();
    unsafe { toz_free_string(s) };
    out
}

fn generate() -> *mut toz_credentials {
    let mut out = ptr::null_mut();
    ok(unsafe { toz_credentials_generate(c"http://127.0.0.1:8000".as_ptr(), &mut out) });
    out
}

const FAST_SEAL: &CStr = c"{\"opslimit\":1,\"memlimit\":8388608}";

#[test]
fn version_is_the_crate_version() {
    let v = unsafe { CStr::from_ptr(toz_version()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    assert_eq!(toz_abi_version(), TOZ_ABI_VERSION);
}

#[test]
fn credentials_json_round_trip_and_public_info_has_no_secrets() {
    let creds = generate();
    let mut json = ptr::null_mut();
    ok(unsafe { toz_credentials_to_json(creds, &mut json) });
    let json = take_string(json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let private_key = value["private_key"].as_str().unwrap().to_string();

    let mut info = ptr::null_mut();
    ok(unsafe { toz_credentials_public_info(creds, &mut info) });
    let info = take_string(info);
    assert!(!info.contains(&private_key));
    assert!(!info.contains(value["private_signing_key"].as_str().unwrap()));
    assert!(info.contains(value["public_key"].as_str().unwrap()));

    let c_json = CString::new(json.clone()).unwrap();
    let mut again = ptr::null_mut();
    ok(unsafe { toz_credentials_from_json(c_json.as_ptr(), &mut again) });
    let mut json2 = ptr::null_mut();
    ok(unsafe { toz_credentials_to_json(again, &mut json2) });
    assert_eq!(take_string(json2), json);
    unsafe {
        toz_free_credentials(again);
        toz_free_credentials(creds);
    }
}

#[test]
fn null_arguments_are_errors_and_outputs_stay_untouched() {
    let creds = generate();
    let sentinel = ptr::dangling_mut::<toz_credentials>();
    let mut out = sentinel;
    assert_eq!(
        kind(unsafe { toz_credentials_from_json(ptr::null(), &mut out) }),
        ErrorKind::NullArgument
    );
    assert_eq!(out, sentinel);
    assert_eq!(
        kind(unsafe { toz_credentials_from_json(c"{}".as_ptr(), ptr::null_mut()) }),
        ErrorKind::NullArgument
    );
    assert_eq!(
        kind(unsafe { toz_credentials_generate(ptr::null(), ptr::null_mut()) }),
        ErrorKind::NullArgument
    );
    let mut s: *mut c_char = ptr::null_mut();
    assert_eq!(
        kind(unsafe { toz_credentials_to_json(ptr::null(), &mut s) }),
        ErrorKind::NullArgument
    );
    assert!(s.is_null());
    assert_eq!(
        kind(unsafe { toz_credentials_seal(creds, ptr::null(), ptr::null(), &mut s) }),
        ErrorKind::NullArgument
    );
    assert_eq!(
        kind(unsafe { toz_credentials_save_file(creds, ptr::null(), false) }),
        ErrorKind::NullArgument
    );
    assert_eq!(
        kind(unsafe { toz_record_encrypt(ptr::null(), c"{}".as_ptr(), &mut s) }),
        ErrorKind::NullArgument
    );
    let mut ak = ptr::null_mut();
    assert_eq!(
        kind(unsafe { toz_access_key_unwrap(c"a.b".as_ptr(), ptr::null(), creds, &mut ak) }),
        ErrorKind::NullArgument
    );
    // Getters and free functions accept NULL.
    unsafe {
        assert_eq!(toz_error_get_kind(ptr::null()), ErrorKind::NullArgument);
        assert_eq!(toz_error_get_http_status(ptr::null()), 0);
        assert_eq!(
            CStr::from_ptr(toz_error_get_message(ptr::null())).to_bytes(),
            b""
        );
        toz_free_error(ptr::null_mut());
        toz_free_string(ptr::null_mut());
        toz_free_access_key(ptr::null_mut());
        toz_free_credentials(ptr::null_mut());
        toz_free_credentials(creds);
    }
}

#[test]
fn invalid_utf8_and_malformed_json_are_errors() {
    let bad = [0xffu8, 0xfe, 0];
    let mut out = ptr::null_mut();
    assert_eq!(
        kind(unsafe { toz_credentials_from_json(bad.as_ptr().cast(), &mut out) }),
        ErrorKind::InvalidUtf8
    );
    assert_eq!(
        kind(unsafe { toz_credentials_from_json(c"{not json".as_ptr(), &mut out) }),
        ErrorKind::Json
    );
    assert_eq!(
        kind(unsafe { toz_credentials_from_json(c"[]".as_ptr(), &mut out) }),
        ErrorKind::Json
    );
    let mut ak = ptr::null_mut();
    ok(unsafe { toz_access_key_generate(&mut ak) });
    let mut s = ptr::null_mut();
    assert_eq!(
        kind(unsafe { toz_record_encrypt(ak, c"{\"a\":1}".as_ptr(), &mut s) }),
        ErrorKind::Json
    );
    assert_eq!(
        kind(unsafe { toz_record_encrypt(ak, c"\"text\"".as_ptr(), &mut s) }),
        ErrorKind::Json
    );
    assert_eq!(
        kind(unsafe { toz_record_decrypt(ak, c"{\"a\":\"x.y\"}".as_ptr(), &mut s) }),
        ErrorKind::InvalidArgument
    );
    assert!(s.is_null());
    unsafe { toz_free_access_key(ak) };
}

#[test]
fn error_messages_never_quote_secrets() {
    let secret = "twNjRBtOJrOHxt9a0JPQV1x5NZN3vW1rTrl3C-34ub8";
    // A JSON type error whose offending value is a private key.
    let json = CString::new(format!(
        "{{\"public_key\":\"x\",\"private_key\":{{\"k\":\"{secret}\"}}}}"
    ))
    .unwrap();
    let mut out = ptr::null_mut();
    let (json_kind, msg) =
        take_error(unsafe { toz_credentials_from_json(json.as_ptr(), &mut out) }).unwrap();
    assert_eq!(json_kind, ErrorKind::Json);
    assert!(!msg.contains(secret), "message leaked a secret: {msg}");
    let json = CString::new(format!(
        "{{\"public_key\":\"x\",\"private_key\":\"{secret}\"}}"
    ))
    .unwrap();
    let (_, msg) =
        take_error(unsafe { toz_credentials_from_json(json.as_ptr(), &mut out) }).unwrap();
    assert!(!msg.contains(secret), "message leaked a secret: {msg}");
}

#[test]
fn seal_and_unseal_through_the_abi() {
    let creds = generate();
    let mut sealed = ptr::null_mut();
    ok(unsafe {
        toz_credentials_seal(
            creds,
            c"hunter2 but longer".as_ptr(),
            FAST_SEAL.as_ptr(),
            &mut sealed,
        )
    });
    let sealed_text = take_string(sealed);
    let c_sealed = CString::new(sealed_text).unwrap();
    let mut back = ptr::null_mut();
    assert_eq!(
        kind(unsafe { toz_credentials_unseal(c_sealed.as_ptr(), c"wrong".as_ptr(), &mut back) }),
        ErrorKind::WrongPassphrase
    );
    assert!(back.is_null());
    ok(unsafe {
        toz_credentials_unseal(c_sealed.as_ptr(), c"hunter2 but longer".as_ptr(), &mut back)
    });
    let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
    ok(unsafe { toz_credentials_to_json(creds, &mut a) });
    ok(unsafe { toz_credentials_to_json(back, &mut b) });
    assert_eq!(take_string(a), take_string(b));
    assert_eq!(
        kind(unsafe {
            toz_credentials_seal(
                creds,
                c"pw".as_ptr(),
                c"{\"opslimits\":1}".as_ptr(),
                &mut sealed,
            )
        }),
        ErrorKind::Json
    );
    unsafe {
        toz_free_credentials(back);
        toz_free_credentials(creds);
    }
}

#[test]
fn files_are_private_and_never_silently_overwritten() {
    let dir = std::env::temp_dir().join(format!("toz-ffi-{}", std::process::id()));
    let path = dir.join("nested").join("e3db.json");
    let c_path = CString::new(path.to_str().unwrap()).unwrap();
    let creds = generate();
    ok(unsafe { toz_credentials_save_file(creds, c_path.as_ptr(), false) });
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let other = generate();
    assert_eq!(
        kind(unsafe { toz_credentials_save_file(other, c_path.as_ptr(), false) }),
        ErrorKind::AlreadyExists
    );
    let mut loaded = ptr::null_mut();
    ok(unsafe { toz_credentials_load_file(c_path.as_ptr(), &mut loaded) });
    let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
    ok(unsafe { toz_credentials_to_json(creds, &mut a) });
    ok(unsafe { toz_credentials_to_json(loaded, &mut b) });
    assert_eq!(
        take_string(a),
        take_string(b),
        "the refused save must not have changed the file"
    );
    ok(unsafe { toz_credentials_save_file(other, c_path.as_ptr(), true) });
    let missing = CString::new(dir.join("missing.json").to_str().unwrap()).unwrap();
    assert_eq!(
        kind(unsafe { toz_credentials_load_file(missing.as_ptr(), &mut loaded) }),
        ErrorKind::NotFound
    );
    unsafe {
        toz_free_credentials(loaded);
        toz_free_credentials(other);
        toz_free_credentials(creds);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn access_keys_wrap_for_a_reader_and_encrypt_records() {
    let writer = generate();
    let reader = generate();
    let stranger = generate();
    let public_of = |c: *mut toz_credentials| {
        let mut s = ptr::null_mut();
        ok(unsafe { toz_credentials_public_info(c, &mut s) });
        let v: serde_json::Value = serde_json::from_str(&take_string(s)).unwrap();
        CString::new(v["public_key"].as_str().unwrap()).unwrap()
    };
    let (writer_pk, reader_pk) = (public_of(writer), public_of(reader));

    let mut ak = ptr::null_mut();
    ok(unsafe { toz_access_key_generate(&mut ak) });
    let mut eak = ptr::null_mut();
    ok(unsafe { toz_access_key_wrap(ak, reader_pk.as_ptr(), writer, &mut eak) });
    let eak = CString::new(take_string(eak)).unwrap();
    let mut opened = ptr::null_mut();
    ok(unsafe { toz_access_key_unwrap(eak.as_ptr(), writer_pk.as_ptr(), reader, &mut opened) });
    let mut wrong = ptr::null_mut();
    assert_eq!(
        kind(unsafe {
            toz_access_key_unwrap(eak.as_ptr(), writer_pk.as_ptr(), stranger, &mut wrong)
        }),
        ErrorKind::Crypto
    );
    assert!(wrong.is_null());

    let data = c"{\"ssn\":\"123-45-6789\",\"name\":\"Alice\"}";
    let mut encrypted = ptr::null_mut();
    ok(unsafe { toz_record_encrypt(ak, data.as_ptr(), &mut encrypted) });
    let encrypted = take_string(encrypted);
    assert!(!encrypted.contains("123-45-6789"));
    let c_enc = CString::new(encrypted).unwrap();
    let mut plain = ptr::null_mut();
    ok(unsafe { toz_record_decrypt(opened, c_enc.as_ptr(), &mut plain) });
    let decrypted: serde_json::Value = serde_json::from_str(&take_string(plain)).unwrap();
    assert_eq!(
        decrypted,
        serde_json::json!({"ssn": "123-45-6789", "name": "Alice"})
    );

    let mut other = ptr::null_mut();
    ok(unsafe { toz_access_key_generate(&mut other) });
    let mut plain = ptr::null_mut();
    let (decrypt_kind, msg) =
        take_error(unsafe { toz_record_decrypt(other, c_enc.as_ptr(), &mut plain) }).unwrap();
    assert_eq!(decrypt_kind, ErrorKind::Crypto);
    assert!(!msg.contains("123-45-6789"));

    let mut text = ptr::null_mut();
    ok(unsafe { toz_access_key_to_string(ak, &mut text) });
    let text = CString::new(take_string(text)).unwrap();
    let mut parsed = ptr::null_mut();
    ok(unsafe { toz_access_key_from_string(text.as_ptr(), &mut parsed) });
    ok(unsafe { toz_record_decrypt(parsed, c_enc.as_ptr(), &mut plain) });
    take_string(plain);
    unsafe {
        for k in [ak, opened, other, parsed] {
            toz_free_access_key(k);
        }
        for c in [writer, reader, stranger] {
            toz_free_credentials(c);
        }
    }
}
