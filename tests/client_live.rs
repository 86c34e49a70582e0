//! libtoz's client against a live toz-server on loopback: registration with and without backup,
//! records, sharing, authorizers, query and search, recovery, and the failure paths.

mod common;

use std::sync::Arc;

use common::TestServer;
use serde_json::{Map, Value, json};
use toz::sdk::backup::{self, register};
use toz::sdk::http::HttpOptions;
use toz::sdk::records::PlainRecord;
use toz::sdk::{Client, Credentials, ErrorKind, wire};

const EMAIL: &str = "owner@example.com";

fn data(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn plain(pairs: &[(&str, &str)]) -> wire::StringMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Setup {
    server: TestServer,
    token: String,
    backup_client: Credentials,
}

fn setup() -> Setup {
    let server = TestServer::start();
    let backup_client = server.create_account(EMAIL);
    let token = server.create_token(EMAIL, &["--unlimited"]);
    Setup {
        server,
        token,
        backup_client,
    }
}

impl Setup {
    fn client(&self, name: &str, backup: bool) -> Client {
        let reg = register(
            &self.server.url,
            &self.token,
            name,
            backup,
            &HttpOptions::default(),
        )
        .unwrap();
        assert_eq!(
            reg.backup_client_id.as_deref(),
            Some(self.backup_client.client_id.as_str())
        );
        Client::new(reg.credentials, &HttpOptions::default()).unwrap()
    }
}

#[test]
fn records_round_trip_with_versions() {
    let s = setup();
    let alice = s.client("alice", false);
    let written = alice
        .write_record(
            "contact",
            &data(json!({"name": "Alice", "ssn": "123-45-6789"})),
            plain(&[("team", "blue")]),
        )
        .unwrap();
    let id = written.meta.record_id.clone().unwrap();
    assert_eq!(written.meta.writer_id, alice.client_id());
    assert_eq!(written.meta.plain, plain(&[("team", "blue")]));

    let read = alice.read_record(&id, None).unwrap();
    assert_eq!(
        read.data,
        data(json!({"name": "Alice", "ssn": "123-45-6789"}))
    );
    assert_eq!(read.meta.version, written.meta.version);

    let only_name = alice.read_record(&id, Some(&["name".to_string()])).unwrap();
    assert_eq!(only_name.data, data(json!({"name": "Alice"})));

    let mut changed = read.clone();
    changed.data.insert("name".into(), json!("Alice B."));
    let updated = alice.update_record(&changed).unwrap();
    assert_ne!(updated.meta.version, read.meta.version);
    assert_eq!(
        alice.read_record(&id, None).unwrap().data["name"],
        json!("Alice B.")
    );

    // The old version is stale now: update and delete both conflict.
    let stale = alice.update_record(&changed).unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Conflict);
    assert_eq!(stale.http_status(), 409);
    let stale_delete = alice
        .delete_record(&id, read.meta.version.as_deref())
        .unwrap_err();
    assert_eq!(stale_delete.kind(), ErrorKind::Conflict);

    alice
        .delete_record(&id, updated.meta.version.as_deref())
        .unwrap();
    assert_eq!(
        alice.read_record(&id, None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let unknown = alice
        .read_record("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11", None)
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
}

#[test]
fn share_revoke_and_recover_from_backup() {
    let s = setup();
    let alice = s.client("alice", true);
    let bob = s.client("bob", false);
    let record = alice
        .write_record(
            "medical",
            &data(json!({"note": "allergic to penicillin"})),
            plain(&[]),
        )
        .unwrap();
    let id = record.meta.record_id.clone().unwrap();

    let before = bob.read_record(&id, None).unwrap_err();
    assert!(
        matches!(before.kind(), ErrorKind::Forbidden | ErrorKind::NotFound),
        "{before:?}"
    );
    alice.share("medical", bob.client_id()).unwrap();
    assert_eq!(bob.read_record(&id, None).unwrap().data, record.data);

    let outgoing = alice.outgoing_shares().unwrap();
    assert!(outgoing.iter().any(|o| o.reader_id == bob.client_id()
        && o.record_type == "medical"
        && o.reader_name == "bob"));
    let incoming = bob.incoming_shares().unwrap();
    assert!(
        incoming
            .iter()
            .any(|i| i.writer_id == alice.client_id() && i.record_type == "medical")
    );

    alice.revoke("medical", bob.client_id()).unwrap();
    let refused = bob.read_record(&id, None).unwrap_err();
    assert!(
        matches!(refused.kind(), ErrorKind::Forbidden | ErrorKind::NotFound),
        "{refused:?}"
    );
    assert!(
        !alice
            .outgoing_shares()
            .unwrap()
            .iter()
            .any(|o| o.record_type == "medical")
    );

    // The account owner recovers alice's credentials from her backup and reads as her.
    let queen = Client::new(s.backup_client.clone(), &HttpOptions::default()).unwrap();
    let listed = queen.list_backups().unwrap();
    assert!(listed.iter().any(|b| b.client_id == alice.client_id()));
    assert!(
        !listed.iter().any(|b| b.client_id == bob.client_id()),
        "bob registered without backup"
    );
    let recovered = queen.recover_credentials(alice.client_id()).unwrap();
    assert_eq!(&recovered, alice.credentials());
    let as_alice = Client::new(recovered, &HttpOptions::default()).unwrap();
    assert_eq!(as_alice.read_record(&id, None).unwrap().data, record.data);
    assert_eq!(
        queen
            .recover_credentials(bob.client_id())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn authorizers_share_on_behalf_of_the_writer() {
    let s = setup();
    let writer = s.client("writer", false);
    let authorizer = s.client("authorizer", false);
    let reader = s.client("reader", false);
    let rec = writer
        .write_record("invoice", &data(json!({"amount": "42"})), plain(&[]))
        .unwrap();
    let id = rec.meta.record_id.clone().unwrap();

    let denied = authorizer
        .share_on_behalf_of(writer.client_id(), "invoice", reader.client_id())
        .unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::Forbidden);

    writer
        .add_authorizer("invoice", authorizer.client_id())
        .unwrap();
    assert!(
        writer
            .authorizers()
            .unwrap()
            .iter()
            .any(|a| a.authorizer_id == authorizer.client_id())
    );
    assert!(
        authorizer
            .granted_authorizations()
            .unwrap()
            .iter()
            .any(|a| a.writer_id == writer.client_id())
    );
    authorizer
        .share_on_behalf_of(writer.client_id(), "invoice", reader.client_id())
        .unwrap();
    assert_eq!(
        reader.read_record(&id, None).unwrap().data["amount"],
        json!("42")
    );

    authorizer
        .revoke_on_behalf_of(writer.client_id(), "invoice", reader.client_id())
        .unwrap();
    assert!(reader.read_record(&id, None).is_err());

    writer
        .remove_authorizer("invoice", authorizer.client_id())
        .unwrap();
    // A fresh client handle (no cache) of the former authorizer can no longer share.
    let fresh = Client::new(authorizer.credentials().clone(), &HttpOptions::default()).unwrap();
    assert!(
        fresh
            .share_on_behalf_of(writer.client_id(), "invoice", reader.client_id())
            .is_err()
    );
}

#[test]
fn query_and_search_decrypt_and_page() {
    let s = setup();
    let alice = s.client("alice", false);
    for i in 0..6 {
        let color = if i % 2 == 0 { "red" } else { "green" };
        alice
            .write_record(
                "paint",
                &data(json!({"n": i.to_string()})),
                plain(&[("color", color)]),
            )
            .unwrap();
    }
    alice
        .write_record("other", &data(json!({"n": "x"})), plain(&[]))
        .unwrap();

    let q = wire::QueryRequest {
        content_types: vec!["paint".into()],
        include_data: true,
        plain: Some(json!({"eq": {"name": "color", "value": "red"}})),
        ..Default::default()
    };
    let page = alice.query(&q).unwrap();
    assert_eq!(page.results.len(), 3);
    assert!(
        page.results
            .iter()
            .all(|r| r.meta.plain["color"] == "red" && r.data.contains_key("n"))
    );

    let first = alice
        .query(&wire::QueryRequest {
            count: Some(5),
            content_types: vec!["paint".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(first.results.len(), 5);
    assert!(
        first.results.iter().all(|r| r.data.is_empty()),
        "no data without include_data"
    );
    let second = alice
        .query(&wire::QueryRequest {
            count: Some(5),
            content_types: vec!["paint".into()],
            after_index: first.last_index,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(second.results.len(), 1);

    let search = wire::SearchRequest {
        limit: Some(2),
        include_data: true,
        r#match: vec![wire::SearchParams {
            terms: wire::SearchTerms {
                content_types: vec!["paint".into()],
                ..Default::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    let page = alice.search(&search).unwrap();
    assert_eq!(page.total_results, 6);
    assert_eq!(page.results.len(), 2);
    assert!(page.results.iter().all(|r| r.data.contains_key("n")));
    assert_eq!(page.last_index, 2);
}

#[test]
fn registration_failures_are_clear_errors() {
    let s = setup();
    let bad = register(
        &s.server.url,
        "not-a-token",
        "x",
        false,
        &HttpOptions::default(),
    )
    .unwrap_err();
    assert!(
        bad.http_status() >= 400 && bad.http_status() < 500,
        "{bad:?}"
    );
    assert!(!bad.message().contains("not-a-token"));

    let one_time = s.server.create_token(EMAIL, &["--uses", "1"]);
    register(
        &s.server.url,
        &one_time,
        "first",
        false,
        &HttpOptions::default(),
    )
    .unwrap();
    let spent = register(
        &s.server.url,
        &one_time,
        "second",
        false,
        &HttpOptions::default(),
    )
    .unwrap_err();
    assert!(
        spent.http_status() >= 400 && spent.http_status() < 500,
        "{spent:?}"
    );

    let insecure = register(
        "http://192.0.2.1:8000",
        &s.token,
        "x",
        false,
        &HttpOptions::default(),
    )
    .unwrap_err();
    assert_eq!(insecure.kind(), ErrorKind::InsecureTransport);
}

#[test]
fn client_info_and_unknown_clients() {
    let s = setup();
    let alice = s.client("alice", false);
    let bob = s.client("bob", false);
    let info = alice.client_info(bob.client_id()).unwrap();
    assert_eq!(info.client_id, bob.client_id());
    assert_eq!(info.public_key.curve25519, bob.credentials().public_key);
    assert_eq!(
        alice.client_info("doesnt exist").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(
        alice
            .share("t", "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11")
            .is_err()
    );
}

#[test]
fn one_client_shared_by_many_threads() {
    let s = setup();
    let alice = Arc::new(s.client("alice", false));
    let handles: Vec<_> = (0..16)
        .map(|t| {
            let alice = Arc::clone(&alice);
            std::thread::spawn(move || {
                for i in 0..5 {
                    let value = format!("{t}-{i}");
                    let rec = alice
                        .write_record("concurrent", &data(json!({"v": value})), plain(&[]))
                        .unwrap();
                    let back = alice
                        .read_record(rec.meta.record_id.as_deref().unwrap(), None)
                        .unwrap();
                    assert_eq!(back.data["v"], json!(value));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let all = alice
        .query(&wire::QueryRequest {
            count: Some(1000),
            content_types: vec!["concurrent".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.results.len(), 80);
}

#[test]
fn a_stopped_server_is_a_network_error() {
    let mut s = setup();
    let options = HttpOptions {
        retries: 0,
        timeout_ms: 5000,
        ..Default::default()
    };
    let reg = register(&s.server.url, &s.token, "alice", false, &options).unwrap();
    let alice = Client::new(reg.credentials, &options).unwrap();
    alice
        .write_record("t", &data(json!({"a": "b"})), plain(&[]))
        .unwrap();
    s.server.stop();
    let err = alice
        .write_record("t", &data(json!({"a": "b"})), plain(&[]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
}

#[test]
fn backup_records_in_every_sdk_quoting_decode() {
    // PY writes version bare, JS quotes it, GO writes version 1 without signing keys.
    let c = Credentials::generate("http://127.0.0.1:1").unwrap();
    let q = |s: &str| Value::String(Value::String(s.into()).to_string());
    let mut fields = Map::new();
    for (k, v) in [
        ("client_id", "1c9d8a0e-4c43-4b7f-9d7c-0d2f1c7b6a55"),
        ("api_key_id", "k"),
        ("api_secret", "s"),
        ("client_email", ""),
        ("public_key", c.public_key.as_str()),
        ("private_key", c.private_key.as_str()),
        ("public_signing_key", c.public_signing_key.as_str()),
        ("private_signing_key", c.private_signing_key.as_str()),
        ("api_url", "https://api.e3db.com"),
    ] {
        fields.insert(k.into(), q(v));
    }
    for version in [Value::String("2".into()), q("2")] {
        let mut f = fields.clone();
        f.insert("version".into(), version);
        let creds = backup::credentials_from_backup(&f).unwrap();
        assert_eq!(creds.version, 2);
        assert_eq!(creds.private_key, c.private_key);
        assert_eq!(creds.client_id, "1c9d8a0e-4c43-4b7f-9d7c-0d2f1c7b6a55");
    }
    let mut go = fields.clone();
    go.remove("public_signing_key");
    go.remove("private_signing_key");
    go.insert("version".into(), Value::String("1".into()));
    assert_eq!(backup::credentials_from_backup(&go).unwrap().version, 1);
    let _ = PlainRecord::default();
}
