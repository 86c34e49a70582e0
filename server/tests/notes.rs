//! Notes (spec §8.1, §10, §12.1-12.2, Appendix C 11/13/17/18) against the real binary, through
//! libtoz (`toz::sdk::Client`) and raw TSV1 requests for exact status codes, on SQLite and, when
//! TOZ_TEST_DATABASE_URL is set, on PostgreSQL.

mod common;
// The server's own timestamp formatting, to write expirations.
#[allow(dead_code)]
#[path = "../src/time.rs"]
mod time;

use common::*;
use serde_json::{Map, Value, json};
use toz::sdk::notes::{NoteOptions, NoteRecipient};
use toz::sdk::wire::Note;
use toz::sdk::{Credentials, ErrorKind, Result, crypto};

on_both_backends!(
    note_round_trip,
    note_view_limits,
    note_expiry,
    note_names,
    note_access_and_ids,
    anonymous_notes,
    note_bad_input,
);

fn data(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn recipient(c: &Credentials) -> NoteRecipient {
    NoteRecipient {
        public_key: c.public_key.clone(),
        public_signing_key: c.public_signing_key.clone(),
    }
}

fn named(name: &str) -> NoteOptions {
    NoteOptions {
        id_string: Some(name.to_string()),
        ..Default::default()
    }
}

/// `from` writes `data` as a note to `to`'s keys, through libtoz.
fn note_to(from: &Client, to: &Credentials, data_v: Value, opts: &NoteOptions) -> Result<Note> {
    from.sdk().write_note(&data(data_v), &recipient(to), opts)
}

/// `from` replaces its note named `opts.id_string`, through libtoz.
fn replace_to(from: &Client, to: &Credentials, data_v: Value, opts: &NoteOptions) -> Result<Note> {
    from.sdk().replace_note(&data(data_v), &recipient(to), opts)
}

/// An anonymous libtoz client (unregistered, throwaway keys).
fn anonymous(s: &Server) -> (Credentials, toz::sdk::Client) {
    let creds = Credentials::generate(&s.url).unwrap();
    let client =
        toz::sdk::Client::new(creds.clone(), &toz::sdk::http::HttpOptions::default()).unwrap();
    (creds, client)
}

/// A note body for raw requests (not encrypted: the server never looks inside).
fn raw_note(writer: &Credentials, to: &Credentials, extra: Value) -> Value {
    let mut n = json!({
        "mode": "Sodium",
        "recipient_signing_key": to.public_signing_key,
        "writer_signing_key": writer.public_signing_key,
        "writer_encryption_key": writer.public_key,
        "encrypted_access_key": "eak",
        "type": "t",
        "data": {"k": "v"},
        "plain": {},
        "signature": "sig",
        "eacp": null, "note_id": null, "created_at": null
    });
    for (k, v) in extra.as_object().unwrap() {
        n[k] = v.clone();
    }
    n
}

// Write, read by id and by name, echoed fields (JS test), timestamps, eacp omitted.
fn note_round_trip(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let name = format!("globalNoteName-${}", crypto::random_uuid_v4());
    let secret = data(json!({"secret": "the eagle lands at dawn", "n": "1"}));
    let written = alice
        .sdk()
        .write_note(&secret, &recipient(&bob.creds), &named(&name))
        .unwrap();
    let note_id = written.note_id.clone().unwrap();
    assert_eq!(note_id, note_id.to_lowercase());
    assert_eq!(written.id_string, name);
    assert_eq!(written.client_id.as_deref(), Some(alice.id()));
    assert_eq!(written.mode, "Sodium");
    assert_eq!(written.recipient_signing_key, bob.creds.public_signing_key);
    assert_eq!(written.writer_signing_key, alice.creds.public_signing_key);
    assert_eq!(written.writer_encryption_key, alice.creds.public_key);
    assert_eq!((written.max_views, written.views), (-1, 0));
    assert!(!written.signature.is_empty());

    let by_id = bob.sdk().read_note(&note_id).unwrap();
    assert_eq!(by_id.data.get("secret").unwrap(), "the eagle lands at dawn");
    assert_eq!(by_id.signature, written.signature);
    assert_eq!(by_id.views, 1);
    let by_name = bob.sdk().read_note_by_name(&name).unwrap();
    assert_eq!(by_name.note_id.as_deref(), Some(note_id.as_str()));
    assert_eq!(by_name.views, 2);

    // Raw: exact keys and formats.
    let q = format!("/v2/storage/notes?note_id={note_id}");
    let raw = bob.signed("GET", &q, None);
    let body = raw.expect(200);
    assert!(body.get("eacp").is_none(), "{}", raw.text);
    assert!(
        is_micros_timestamp(&body["created_at"]),
        "{}",
        body["created_at"]
    );
    assert!(
        is_micros_timestamp(&body["expiration"]),
        "{}",
        body["expiration"]
    );
    assert_eq!(body["expires"], false);
    assert_eq!(body["views"], 3);
    // `mode` is stored verbatim (PY sends "sodium").
    let lower = alice.signed(
        "POST",
        "/v2/storage/notes",
        Some(&raw_note(
            &alice.creds,
            &bob.creds,
            json!({"mode": "sodium"}),
        )),
    );
    assert_eq!(lower.expect(201)["mode"], "sodium");
    // Unlimited views: the views endpoint says -1.
    let left = bob.signed(
        "GET",
        &format!("/v2/storage/notes/views?note_id={note_id}"),
        None,
    );
    assert_eq!(left.expect(200), &json!(-1));
}

// max_views: reads count, the views endpoint answers a bare number, the last view deletes.
fn note_view_limits(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let name = unique("twice");
    let opts = NoteOptions {
        max_views: Some(2),
        ..named(&name)
    };
    let n = note_to(&alice, &bob.creds, json!({"a": "b"}), &opts).unwrap();
    assert_eq!(n.max_views, 2);
    let id = n.note_id.unwrap();
    let views = |by: &Client| {
        by.signed(
            "GET",
            &format!("/v2/storage/notes/views?note_id={id}"),
            None,
        )
    };
    assert_eq!(views(&bob).expect(200), &json!(2));
    // The writer may ask too (by key and client id); a stranger may not.
    assert_eq!(
        alice
            .signed(
                "GET",
                &format!("/v2/storage/notes/views?id_string={name}"),
                None
            )
            .expect(200),
        &json!(2)
    );
    let eve = Client::register(&s, &acct.token, "eve");
    views(&eve).expect(403);
    bob.sdk().read_note(&id).unwrap();
    let left = views(&bob);
    left.expect(200);
    assert_eq!(left.text.trim(), "1", "a bare JSON number");
    assert_eq!(bob.sdk().read_note_by_name(&name).unwrap().views, 2);
    let gone = bob.sdk().read_note(&id).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound, "{gone:?}");
    views(&bob).expect(404);
    bob.signed("GET", &format!("/v2/storage/notes?id_string={name}"), None)
        .expect(404);
    // The name is free again.
    note_to(&alice, &bob.creds, json!({"a": "c"}), &named(&name)).unwrap();
    // Concurrent reads of a one-view note: exactly one wins.
    let once = note_to(
        &alice,
        &bob.creds,
        json!({"a": "b"}),
        &NoteOptions {
            max_views: Some(1),
            ..Default::default()
        },
    )
    .unwrap()
    .note_id
    .unwrap();
    let statuses: Vec<u16> = (0..6)
        .map(|_| {
            let (base, creds, id) = (s.url.clone(), bob.creds.clone(), once.clone());
            std::thread::spawn(move || {
                let path = format!("/v2/storage/notes?note_id={id}");
                signed_as(&base, &creds, &creds.client_id, "GET", &path, None).status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 404),
        "{statuses:?}"
    );
}

// expires + expiration: in the past → gone at once; a second away → readable, then gone.
fn note_expiry(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let at = |micros_from_now: i64| time::format_micros(time::now_micros() + micros_from_now);
    let past_name = unique("past");
    let past = note_to(
        &alice,
        &bob.creds,
        json!({"a": "b"}),
        &NoteOptions {
            expiration: Some(at(-60_000_000)),
            ..named(&past_name)
        },
    )
    .unwrap();
    assert!(past.expires);
    let id = past.note_id.unwrap();
    assert_eq!(
        bob.sdk().read_note(&id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    bob.signed(
        "GET",
        &format!("/v2/storage/notes/views?note_id={id}"),
        None,
    )
    .expect(404);
    // An expired note does not hold its name.
    note_to(&alice, &bob.creds, json!({"a": "b"}), &named(&past_name)).unwrap();

    let soon = note_to(
        &alice,
        &bob.creds,
        json!({"a": "soon"}),
        &NoteOptions {
            expiration: Some(at(1_500_000)),
            ..Default::default()
        },
    )
    .unwrap();
    let id = soon.note_id.unwrap();
    assert_eq!(bob.sdk().read_note(&id).unwrap().data["a"], "soon");
    std::thread::sleep(std::time::Duration::from_millis(1800));
    assert_eq!(
        bob.sdk().read_note(&id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    alice
        .signed("DELETE", &format!("/v2/storage/notes/{id}"), None)
        .expect(404);
}

// Names: 409 on a duplicate (PY), replace by name (JS/CGO), another writer's name.
fn note_names(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let name = unique("premium");
    let first = note_to(&alice, &bob.creds, json!({"v": "1"}), &named(&name)).unwrap();
    let dup = note_to(&alice, &bob.creds, json!({"v": "2"}), &named(&name)).unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict, "{dup:?}");
    alice
        .signed(
            "POST",
            "/v2/storage/notes",
            Some(&raw_note(
                &alice.creds,
                &bob.creds,
                json!({"id_string": name}),
            )),
        )
        .expect(409);
    // Replace: a new note under the name, the old one gone.
    let second = replace_to(&alice, &bob.creds, json!({"v": "2"}), &named(&name)).unwrap();
    assert_ne!(second.note_id, first.note_id);
    assert_eq!(second.id_string, name);
    assert_eq!(
        bob.sdk()
            .read_note(first.note_id.as_deref().unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(bob.sdk().read_note_by_name(&name).unwrap().data["v"], "2");
    // Replace creates when the name is free.
    let fresh = unique("fresh");
    replace_to(&alice, &bob.creds, json!({"v": "3"}), &named(&fresh)).unwrap();
    // Another writer cannot take or replace the name.
    let carol = Client::register(&s, &acct.token, "carol");
    let taken = replace_to(&carol, &bob.creds, json!({"v": "x"}), &named(&name)).unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Conflict);
    assert_eq!(bob.sdk().read_note_by_name(&name).unwrap().data["v"], "2");
    // Replace needs a name (400) and a registered writer (403).
    alice
        .signed(
            "PUT",
            "/v2/storage/notes",
            Some(&raw_note(&alice.creds, &bob.creds, json!({}))),
        )
        .expect(400);
    let (anon, _) = anonymous(&s);
    signed_as(
        &s.url,
        &anon,
        "",
        "PUT",
        "/v2/storage/notes",
        Some(&raw_note(
            &anon,
            &bob.creds,
            json!({"id_string": unique("a")}),
        )),
    )
    .expect(403);
}

// Who may read and delete; malformed (400) and unknown (404) ids; TSV1 only.
fn note_access_and_ids(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let eve = Client::register(&s, &acct.token, "eve");
    let n = note_to(
        &alice,
        &bob.creds,
        json!({"a": "b"}),
        &NoteOptions::default(),
    )
    .unwrap();
    let id = n.note_id.unwrap();
    let q = format!("/v2/storage/notes?note_id={id}");
    // The writer is not the recipient; nor is eve. A refused read does not count.
    let refused = eve.sdk().read_note(&id).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused:?}");
    alice.signed("GET", &q, None).expect(403);
    assert_eq!(bob.sdk().read_note(&id).unwrap().views, 1);
    // Malformed id 400 (PY), unknown 404, no selector 400.
    bob.signed("GET", "/v2/storage/notes?note_id=not-a-uuid", None)
        .expect(400);
    bob.signed(
        "GET",
        &format!("/v2/storage/notes?note_id={}", crypto::random_uuid_v4()),
        None,
    )
    .expect(404);
    bob.signed("GET", "/v2/storage/notes?id_string=nobody-has-this", None)
        .expect(404);
    bob.signed("GET", "/v2/storage/notes", None).expect(400);
    // Upper-case ids work (SW).
    bob.signed(
        "GET",
        &format!("/v2/storage/notes?note_id={}", id.to_uppercase()),
        None,
    )
    .expect(200);
    // TSV1 only: Bearer and no auth are 401.
    bob.call("GET", &q, None).expect(401);
    json_req("GET", &format!("{}{q}", s.url), None, None).expect(401);
    json_req(
        "POST",
        &format!("{}/v2/storage/notes", s.url),
        Some(&bob.auth()),
        Some(&raw_note(&bob.creds, &alice.creds, json!({}))),
    )
    .expect(401);
    // A registered uid with someone else's key is 401.
    signed_as(&s.url, &eve.creds, alice.id(), "GET", &q, None).expect(401);
    // Delete: not the recipient, only the writer; malformed 400; then gone.
    let del = format!("/v2/storage/notes/{id}");
    bob.signed("DELETE", &del, None).expect(403);
    eve.signed("DELETE", &del, None).expect(403);
    bob.signed("DELETE", "/v2/storage/notes/not-a-uuid", None)
        .expect(400);
    alice.sdk().delete_note(&id).unwrap();
    bob.signed("GET", &q, None).expect(404);
    alice.signed("DELETE", &del, None).expect(404);
}

// Anonymous writers and readers (empty uid:): no name, no client id, limits honoured.
fn anonymous_notes(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let bob = Client::register(&s, &acct.token, "bob");
    let (anon_creds, anon) = anonymous(&s);
    let submitted = unique("ignored-name");
    let n = anon
        .write_note(
            &data(json!({"hello": "from nobody"})),
            &recipient(&bob.creds),
            &NoteOptions {
                max_views: Some(2),
                ..named(&submitted)
            },
        )
        .unwrap();
    assert_eq!(n.id_string, "", "PY test_write_anonymous_note");
    assert_eq!(n.client_id.as_deref(), Some(""));
    assert_eq!(n.max_views, 2);
    assert_eq!(n.writer_signing_key, anon_creds.public_signing_key);
    let id = n.note_id.unwrap();
    assert_eq!(
        bob.sdk().read_note(&id).unwrap().data["hello"],
        "from nobody"
    );
    // The submitted name was not registered.
    bob.signed(
        "GET",
        &format!("/v2/storage/notes?id_string={submitted}"),
        None,
    )
    .expect(404);
    // A registered writer to anonymous keys; the anonymous holder reads it.
    let (reader_creds, reader) = anonymous(&s);
    let to_anon = bob
        .sdk()
        .write_note(
            &data(json!({"x": "y"})),
            &recipient(&reader_creds),
            &NoteOptions::default(),
        )
        .unwrap();
    let to_anon_id = to_anon.note_id.unwrap();
    assert_eq!(reader.read_note(&to_anon_id).unwrap().data["x"], "y");
    // A registered client's key with an empty uid is accepted, as anonymous (CGO).
    signed_as(
        &s.url,
        &bob.creds,
        "",
        "GET",
        &format!("/v2/storage/notes/views?note_id={to_anon_id}"),
        None,
    )
    .expect(200);
    // Anonymous delete by writer key; anonymous replay refused.
    anon.delete_note(&id).unwrap();
    assert_eq!(
        bob.sdk().read_note(&id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let path = format!("/v2/storage/notes/views?note_id={to_anon_id}");
    let header = toz::sdk::tsv1::sign(
        &path[..path.find('?').unwrap()],
        &path[path.find('?').unwrap() + 1..],
        "GET",
        &reader_creds.signing_public().unwrap(),
        &reader_creds.signing_secret().unwrap(),
        time_now(),
        &crypto::random_uuid_v4(),
        "",
    );
    let url = format!("{}{path}", s.url);
    json_req("GET", &url, Some(&header), None).expect(200);
    json_req("GET", &url, Some(&header), None).expect(401);
}

// 400 with a JSON error for bodies the server cannot accept.
fn note_bad_input(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let post = |body: &Value| alice.signed("POST", "/v2/storage/notes", Some(body));
    for extra in [
        json!({"recipient_signing_key": "short"}),
        json!({"writer_encryption_key": crypto::b64url_encode(&[1u8; 31])}),
        json!({"encrypted_access_key": ""}),
        json!({"eacp": {"email_eacp": {"email_address": "x@example.com"}}}),
        json!({"expires": true, "expiration": "not a time"}),
        json!({"expires": true}),
        json!({"id_string": "x".repeat(1025)}),
        json!({"max_views": "two"}),
    ] {
        let r = post(&raw_note(&alice.creds, &bob.creds, extra.clone()));
        assert_eq!(r.status, 400, "{extra}: {}", r.text);
        r.expect(400);
    }
    let mut missing = raw_note(&alice.creds, &bob.creds, json!({}));
    missing
        .as_object_mut()
        .unwrap()
        .remove("recipient_signing_key");
    post(&missing).expect(400);
    // `eacp: {}` and nulls are fine (PY sends nulls).
    post(&raw_note(
        &alice.creds,
        &bob.creds,
        json!({"eacp": {}, "max_views": null, "expires": null, "expiration": null}),
    ))
    .expect(201);
    let header = alice.tsv1_header(
        "POST",
        "/v2/storage/notes",
        "",
        time_now(),
        &crypto::random_uuid_v4(),
    );
    send(
        "POST",
        &format!("{}/v2/storage/notes", s.url),
        Some(&header),
        Some("application/json"),
        Some(b"{not json".to_vec()),
    )
    .expect(400);
}
