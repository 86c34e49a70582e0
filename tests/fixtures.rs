//! JSON in the exact shapes Tozny's SDKs write (spec §1.2, §2.2, §4.1) is read correctly:
//! credentials files of PY, GO and JS, records with GO's zero timestamps and `plain: null`, JS's
//! `rec_sig: null` and extra fields, and a backup record of each quoting style.

use serde_json::{Value, json};
use toz::sdk::access_key::AccessKey;
use toz::sdk::backup::credentials_from_backup;
use toz::sdk::{Credentials, fields, wire};

/// spec §11.8: `ak = 0x01×32`, plaintext `hello`.
const HELLO: &str = "fPJ5W9A1-5rtDWMAA6WgZ0sAJX3AcemY96aE2CxtqSf922Y_TsWZyxyuHMCLZAiy.BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE.KGFNj0rp2zg8e182d5AdTGPAxE8u.AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD";

fn decrypt(record: &wire::Record) -> Value {
    let ak = AccessKey::from_bytes([1; 32]);
    let data = record
        .data
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(fields::decrypt_data(&ak, &data).unwrap())
}

#[test]
fn records_as_go_writes_them() {
    // GO sends zero-valued timestamps and a nil plain map on write.
    let text = json!({
        "meta": {"writer_id": "d96102c7-6930-4907-8ca8-e9fc0520f22d", "user_id": "d96102c7-6930-4907-8ca8-e9fc0520f22d",
                 "type": "contact", "plain": null, "created": "0001-01-01T00:00:00Z", "last_modified": "0001-01-01T00:00:00Z"},
        "data": {"name": HELLO}
    });
    let record: wire::Record = serde_json::from_value(text).unwrap();
    assert!(record.meta.plain.is_empty());
    assert_eq!(decrypt(&record), json!({"name": "hello"}));
    // Written back out, plain is an object and no file_meta appears.
    let out = serde_json::to_value(&record).unwrap();
    assert_eq!(out["meta"]["plain"], json!({}));
    assert!(out["meta"].get("file_meta").is_none());
}

#[test]
fn records_as_js_and_py_write_them() {
    let js = json!({
        "meta": {"writer_id": "a", "user_id": "a", "type": "t", "plain": {"k": "v"}, "record_id": null, "is_secret": false},
        "data": {"f": HELLO}, "rec_sig": null
    });
    let record: wire::Record = serde_json::from_value(js).unwrap();
    assert_eq!(record.rec_sig, None);
    assert_eq!(decrypt(&record), json!({"f": "hello"}));
    // PY omits plain and never sends created/last_modified.
    let py = json!({"meta": {"writer_id": "a", "user_id": "a", "type": "t"}, "data": {"f": HELLO}});
    let record: wire::Record = serde_json::from_value(py).unwrap();
    assert_eq!(decrypt(&record), json!({"f": "hello"}));
    // A server response of a file record keeps its file_meta.
    let file = json!({"meta": {"writer_id": "a", "user_id": "a", "type": "t", "record_id": "r", "version": "v",
                               "created": "2021-07-12T19:49:12.738703Z", "last_modified": "2021-07-12T19:49:12.738703Z",
                               "plain": {}, "file_meta": {"size": 10, "checksum": "x", "compression": "raw", "file_name": "f", "file_url": "u"}},
                      "data": {}});
    let record: wire::Record = serde_json::from_value(file).unwrap();
    assert_eq!(
        record.meta.file_meta.as_ref().unwrap()["compression"],
        "raw"
    );
}

#[test]
fn credentials_files_of_every_sdk() {
    let base = json!({
        "public_signing_key": "RveDgHnDiY25vdFmnoMoJ02hqZxal8lKtMFl7z6c49E",
        "private_signing_key": "Fq4V3JouNDEH7_FRf5nTlJuejbXThMiGzmIcRUp7UNRG94OAecOJjbm90WaegygnTaGpnFqXyUq0wWXvPpzj0Q",
        "client_id": "d96102c7-6930-4907-8ca8-e9fc0520f22d",
        "api_key_id": "c883050f5d0d3d29020a8b12ede16ce6b31de22a4cdd05a1d33422f218b6534f",
        "api_secret": "4624dd5f730df9bc367a97087c0aaf315ff9325c7bc83ba279a7521c4942a366",
        "public_key": "zsZL2o_khBgN_baQ6H9cg8zWwLn9DYObWFjm9scNJlQ",
        "private_key": "twNjRBtOJrOHxt9a0JPQV1x5NZN3vW1rTrl3C-34ub8",
        "api_url": "https://api.e3db.com"
    });
    // PY: version "2" and client_email "".
    let mut py = base.clone();
    py["version"] = json!("2");
    py["client_email"] = json!("");
    assert_eq!(Credentials::from_json(&py.to_string()).unwrap().version, 2);
    // GO v1 profile: integer version 1, no signing keys.
    let mut go = base.clone();
    go["version"] = json!(1);
    go.as_object_mut().unwrap().remove("public_signing_key");
    go.as_object_mut().unwrap().remove("private_signing_key");
    assert_eq!(Credentials::from_json(&go.to_string()).unwrap().version, 1);
    // JS serialize(): integer version, no client_email.
    let mut js = base.clone();
    js["version"] = json!(2);
    let c = Credentials::from_json(&js.to_string()).unwrap();
    assert_eq!(c.client_email, "");
    assert_eq!(
        c.api_key_id,
        "c883050f5d0d3d29020a8b12ede16ce6b31de22a4cdd05a1d33422f218b6534f"
    );
}

#[test]
fn backup_records_of_every_sdk() {
    let q = |s: &str| Value::String(Value::String(s.to_string()).to_string());
    let fields = |version: Value| {
        let mut m = serde_json::Map::new();
        m.insert("version".into(), version);
        for (k, v) in [
            ("client_id", "d96102c7-6930-4907-8ca8-e9fc0520f22d"),
            ("api_key_id", "k"),
            ("api_secret", "s"),
            ("client_email", ""),
            ("public_key", "zsZL2o_khBgN_baQ6H9cg8zWwLn9DYObWFjm9scNJlQ"),
            ("private_key", "twNjRBtOJrOHxt9a0JPQV1x5NZN3vW1rTrl3C-34ub8"),
            (
                "public_signing_key",
                "RveDgHnDiY25vdFmnoMoJ02hqZxal8lKtMFl7z6c49E",
            ),
            (
                "private_signing_key",
                "Fq4V3JouNDEH7_FRf5nTlJuejbXThMiGzmIcRUp7UNRG94OAecOJjbm90WaegygnTaGpnFqXyUq0wWXvPpzj0Q",
            ),
            ("api_url", "https://api.e3db.com"),
        ] {
            m.insert(k.into(), q(v));
        }
        m
    };
    // PY: version '2' bare; JS: version '"2"' quoted.
    for version in [json!("2"), q("2")] {
        let c = credentials_from_backup(&fields(version)).unwrap();
        assert_eq!(
            (c.version, c.client_id.as_str()),
            (2, "d96102c7-6930-4907-8ca8-e9fc0520f22d")
        );
    }
}
