//! Notes' extended access control policies (spec §8.1 `eacp`, server/src/eacp.rs): one-time
//! codes from `PATCH /v2/storage/notes/prime` (tozny_otp_eacp) and from the mail that
//! `PATCH /v2/storage/notes/challenge` sends (email_eacp), against the real binary with a real
//! mail command, through libtoz and raw TSV1 requests, on SQLite and PostgreSQL.

mod common;
// The server's own timestamp parsing, to check expiry times.
#[allow(dead_code)]
#[path = "../src/time.rs"]
mod time;

use std::path::Path;

use common::*;
use serde_json::{Map, Value, json};
use toz::sdk::notes::{NoteChallengeRequest, NoteOptions, NoteReadRequest, NoteRecipient};
use toz::sdk::wire::Note;
use toz::sdk::{Credentials, ErrorKind};

on_both_backends!(
    tozny_otp_gate,
    one_code_one_read_under_concurrency,
    email_gate,
    both_gates,
    policies_refused_or_kept,
);

/// As [`setup`], with a server whose mail lands as files in the returned directory.
fn setup_with_mail(b: Backend) -> Option<(Db, tempfile::TempDir, Server, Account)> {
    let db = Db::new(b)?;
    let mail = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/mail-to-dir.sh");
    let command = format!("'{script}' '{}'", mail.path().display());
    let server = Server::start_with(&db.url, &["--mail-command", &command]);
    let account = Account::create(&server);
    Some((db, mail, server, account))
}

fn recipient(c: &Credentials) -> NoteRecipient {
    NoteRecipient {
        public_key: c.public_key.clone(),
        public_signing_key: c.public_signing_key.clone(),
    }
}

fn gated(eacp: Value) -> NoteOptions {
    NoteOptions {
        eacp: Some(eacp.as_object().unwrap().clone()),
        ..Default::default()
    }
}

fn write(from: &Client, to: &Credentials, options: &NoteOptions) -> Note {
    let data: Map<String, Value> = json!({"secret": "behind a gate"})
        .as_object()
        .unwrap()
        .clone();
    from.sdk()
        .write_note(&data, &recipient(to), options)
        .unwrap()
}

fn by_id(id: &str) -> NoteReadRequest {
    NoteReadRequest {
        note_id: Some(id.to_string()),
        ..Default::default()
    }
}

fn with_otp(id: &str, otp: &str) -> NoteReadRequest {
    NoteReadRequest {
        tozny_otp: Some(otp.to_string()),
        ..by_id(id)
    }
}

fn views_left(reader: &Client, id: &str) -> i64 {
    reader
        .signed(
            "GET",
            &format!("/v2/storage/notes/views?note_id={id}"),
            None,
        )
        .expect(200)
        .as_i64()
        .unwrap()
}

/// The code in the newest mail about `note_id`, and the whole message.
fn mailed_code(mail_dir: &Path, note_id: &str) -> (String, String) {
    let mut names: Vec<_> = std::fs::read_dir(mail_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    let message = names
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|m| m.contains(&format!("X-Toz-Note-Id: {note_id}\r\n")))
        .expect("a mail about the note");
    let code = message
        .lines()
        .find_map(|l| l.strip_prefix("One-time code: "))
        .expect("the code line")
        .to_string();
    (code, message)
}

// The writer primes; the recipient reads once with the code; nobody else primes or reads.
fn tozny_otp_gate(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let eve = Client::register(&s, &acct.token, "eve");
    let written = write(
        &alice,
        &bob.creds,
        &NoteOptions {
            max_views: Some(3),
            ..gated(json!({"tozny_otp_eacp": {"include": true}}))
        },
    );
    assert_eq!(
        written.eacp,
        Some(json!({"tozny_otp_eacp": {"include": true}}))
    );
    let id = written.note_id.unwrap();

    // No code, a wrong code: 403, and no view is used.
    let refused = bob.sdk().read_note(&id).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused:?}");
    assert!(refused.message().contains("tozny_otp"), "{refused:?}");
    let wrong = bob.sdk().read_note_with(&with_otp(&id, &"0".repeat(64)));
    assert_eq!(wrong.unwrap_err().kind(), ErrorKind::Forbidden);
    assert_eq!(views_left(&bob, &id), 3);

    // Only the writer primes.
    for other in [&bob, &eve] {
        let e = other.sdk().prime_note(&id, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Forbidden, "{e:?}");
    }
    let first = alice.sdk().prime_note(&id, 5).unwrap();
    let second = alice.sdk().prime_note(&id, 0).unwrap();
    assert_ne!(*first, *second);
    assert_eq!(second.len(), 64);
    // A new code replaces the old one; a good code does not open the note for someone else.
    let replaced = bob.sdk().read_note_with(&with_otp(&id, &first));
    assert_eq!(replaced.unwrap_err().kind(), ErrorKind::Forbidden);
    let eves = eve.sdk().read_note_with(&with_otp(&id, &second));
    assert_eq!(eves.unwrap_err().kind(), ErrorKind::Forbidden);
    let read = bob.sdk().read_note_with(&with_otp(&id, &second)).unwrap();
    assert_eq!(read.data["secret"], "behind a gate");
    assert_eq!(
        read.eacp,
        Some(json!({"tozny_otp_eacp": {"include": true}}))
    );
    assert_eq!(views_left(&bob, &id), 2);
    // Spent.
    let again = bob.sdk().read_note_with(&with_otp(&id, &second));
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Forbidden);

    // By name too.
    let name = unique("gated");
    let named = write(
        &alice,
        &bob.creds,
        &NoteOptions {
            id_string: Some(name.clone()),
            ..gated(json!({"tozny_otp_eacp": {"include": true}}))
        },
    );
    let code = alice
        .sdk()
        .prime_note(named.note_id.as_deref().unwrap(), 0)
        .unwrap();
    let by_name = NoteReadRequest {
        id_string: Some(name),
        tozny_otp: Some(code.to_string()),
        ..Default::default()
    };
    assert_eq!(
        bob.sdk().read_note_with(&by_name).unwrap().data["secret"],
        "behind a gate"
    );

    // Raw: lifetimes out of range, a note without the policy, unknown and malformed notes.
    let prime = |path: &str, body: Value| alice.signed("PATCH", path, Some(&body));
    let path = format!("/v2/storage/notes/prime?note_id={id}");
    prime(&path, json!({"otp": {"expiry_minutes": 10081}})).expect(400);
    prime(&path, json!({"otp": {"expiry_minutes": -1}})).expect(400);
    prime(&path, json!({"otp": {"expiry_minutes": "ten"}})).expect(400);
    let body = prime(&path, json!({"otp": {"expiry_minutes": 1}}));
    assert_eq!(body.expect(200)["note_id"], id.as_str());
    alice.signed("PATCH", &path, None).expect(200);
    let plain = write(&alice, &bob.creds, &NoteOptions::default());
    assert_eq!(plain.eacp, None);
    let plain_id = plain.note_id.unwrap();
    let e = alice.sdk().prime_note(&plain_id, 0).unwrap_err();
    assert_eq!(e.http_status(), 400, "{e:?}");
    prime(
        &format!(
            "/v2/storage/notes/prime?note_id={}",
            toz::sdk::crypto::random_uuid_v4()
        ),
        json!({}),
    )
    .expect(404);
    prime("/v2/storage/notes/prime?note_id=nope", json!({})).expect(400);
    // An ungated note needs no code, and ignores one.
    let ignored = bob.sdk().read_note_with(&with_otp(&plain_id, "whatever"));
    assert_eq!(ignored.unwrap().data["secret"], "behind a gate");
    // Deleting a note drops its code with it.
    alice.sdk().delete_note(&id).unwrap();
    let gone = bob.sdk().read_note_with(&with_otp(&id, "x")).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}

// Eight readers race with one code: exactly one gets the note.
fn one_code_one_read_under_concurrency(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let id = write(
        &alice,
        &bob.creds,
        &gated(json!({"tozny_otp_eacp": {"include": true}})),
    )
    .note_id
    .unwrap();
    let code = alice.sdk().prime_note(&id, 0).unwrap();
    let reader = bob.sdk();
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let tasks: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| reader.read_note_with(&with_otp(&id, &code))))
            .collect();
        tasks.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let won = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    for lost in outcomes.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(lost.kind(), ErrorKind::Forbidden, "{lost:?}");
    }
}

// The recipient asks for a code; it arrives by mail to the policy's address and opens the note
// once.
fn email_gate(b: Backend) {
    let Some((db, mail, s, acct)) = setup_with_mail(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let eve = Client::register(&s, &acct.token, "eve");
    let policy = json!({"email_eacp": {
        "email_address": "bob@example.com",
        "template": "claim_note",
        "provider_link": "https://app.example.com/open",
        "template_fields": {"from": "Alice"},
        "default_expiration_minutes": 15,
    }});
    let written = write(&alice, &bob.creds, &gated(policy.clone()));
    assert_eq!(written.eacp.as_ref(), Some(&policy));
    let id = written.note_id.unwrap();
    let refused = bob.sdk().read_note(&id).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert!(refused.message().contains("email_otp"), "{refused:?}");

    let challenge = |who: &Client, template: Option<&str>| {
        who.sdk().challenge_note(&NoteChallengeRequest {
            note_id: Some(id.clone()),
            template_name: template.map(str::to_string),
            ..Default::default()
        })
    };
    let e = challenge(&eve, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e:?}");
    let mails = |dir: &Path| std::fs::read_dir(dir).map_or(0, |d| d.count());
    assert_eq!(mails(mail.path()), 0, "a refused challenge sends nothing");

    let before = time_now();
    let answer = challenge(&bob, None).unwrap();
    let expires = answer["email_eacp"]["expires_at"].as_str().unwrap();
    let expires = time::parse_rfc3339(expires).unwrap() / 1_000_000;
    // The note's default lifetime, 15 minutes.
    assert!((before + 15 * 60 - 5..=before + 15 * 60 + 60).contains(&expires));
    assert_eq!(answer["email_eacp"]["template_name"], "claim_note");
    let (code, message) = mailed_code(mail.path(), &id);
    assert!(message.starts_with("To: bob@example.com\r\n"), "{message}");
    assert!(message.contains("X-Toz-Template: claim_note\r\n"));
    assert!(message.contains(&format!(
        "https://app.example.com/open?note_id={id}&email_otp={code}"
    )));
    assert!(message.contains("from: Alice\r\n"));
    // The data never travels in the mail.
    assert!(!message.contains("behind a gate"));

    // The writer may challenge too; that code replaces the recipient's.
    let answer = challenge(&alice, Some("reminder")).unwrap();
    assert_eq!(answer["email_eacp"]["template_name"], "reminder");
    let (newer, _) = mailed_code(mail.path(), &id);
    assert_ne!(newer, code);
    let with_email = |otp: &str| NoteReadRequest {
        email_otp: Some(otp.to_string()),
        ..by_id(&id)
    };
    let stale = bob.sdk().read_note_with(&with_email(&code));
    assert_eq!(stale.unwrap_err().kind(), ErrorKind::Forbidden);
    let read = bob.sdk().read_note_with(&with_email(&newer)).unwrap();
    assert_eq!(read.data["secret"], "behind a gate");
    let spent = bob.sdk().read_note_with(&with_email(&newer));
    assert_eq!(spent.unwrap_err().kind(), ErrorKind::Forbidden);

    // Raw: bad template names and lifetimes; a note without the policy; an empty body is fine.
    let path = format!("/v2/storage/notes/challenge?note_id={id}");
    let patch = |body: Option<Value>| bob.signed("PATCH", &path, body.as_ref());
    patch(Some(
        json!({"email_eacp": {"template_name": "a\r\nBcc: x@y.example"}}),
    ))
    .expect(400);
    patch(Some(json!({"email_eacp": {"expiry_minutes": 100000}}))).expect(400);
    patch(Some(json!({"email_eacp": 5}))).expect(400);
    patch(None).expect(200);
    let plain = write(&alice, &bob.creds, &NoteOptions::default());
    let e = bob
        .sdk()
        .challenge_note(&NoteChallengeRequest {
            note_id: plain.note_id.clone(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.http_status(), 400, "{e:?}");
    // Naming no note, or two, is the caller's mistake, caught before sending.
    let e = bob
        .sdk()
        .challenge_note(&NoteChallengeRequest::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let both = NoteReadRequest {
        id_string: Some("x".into()),
        ..by_id(&id)
    };
    let e = bob.sdk().read_note_with(&both).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    drop(s);

    // A mail command that fails: 502, and no code is issued.
    let failing = Server::start_with(&db.url, &["--mail-command", "cat >/dev/null; exit 1"]);
    let mut at_failing = bob.creds.clone();
    at_failing.api_url = failing.url.clone();
    let e = toz::sdk::Client::new(at_failing, &Default::default())
        .unwrap()
        .challenge_note(&NoteChallengeRequest {
            note_id: Some(id.clone()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (ErrorKind::Server, 502),
        "{e:?}"
    );
}

// A note with both policies needs both codes in one read.
fn both_gates(b: Backend) {
    let Some((_db, mail, s, acct)) = setup_with_mail(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let id = write(
        &alice,
        &bob.creds,
        &gated(json!({
            "tozny_otp_eacp": {"include": true},
            "email_eacp": {"email_address": "bob@example.com"},
        })),
    )
    .note_id
    .unwrap();
    let otp = alice.sdk().prime_note(&id, 0).unwrap();
    bob.sdk()
        .challenge_note(&NoteChallengeRequest {
            note_id: Some(id.clone()),
            ..Default::default()
        })
        .unwrap();
    let (email_code, _) = mailed_code(mail.path(), &id);
    let only_otp = bob.sdk().read_note_with(&with_otp(&id, &otp));
    assert_eq!(only_otp.unwrap_err().kind(), ErrorKind::Forbidden);
    let only_email = bob.sdk().read_note_with(&NoteReadRequest {
        email_otp: Some(email_code.clone()),
        ..by_id(&id)
    });
    assert_eq!(only_email.unwrap_err().kind(), ErrorKind::Forbidden);
    // The failed reads spent neither code.
    let read = bob
        .sdk()
        .read_note_with(&NoteReadRequest {
            email_otp: Some(email_code),
            ..with_otp(&id, &otp)
        })
        .unwrap();
    assert_eq!(read.data["secret"], "behind a gate");
}

// What the server cannot enforce it refuses (400); what it can it keeps, normalised; anonymous
// writers gate their notes too.
fn policies_refused_or_kept(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    for eacp in [
        json!({"tozid_eacp": {"realm_name": "r"}}),
        json!({"last_access_eacp": {"last_read_note_id": "5f0c7a4e-0000-4000-8000-000000000000"}}),
        json!({"email_eacp": {"email_address": "bob@example.com"}}),
        json!({"tozny_otp_eacp": {"include": "yes"}}),
        json!({"made_up_eacp": {}}),
    ] {
        let e = alice
            .sdk()
            .write_note(&Map::new(), &recipient(&bob.creds), &gated(eacp.clone()))
            .unwrap_err();
        assert_eq!(e.http_status(), 400, "{eacp}: {e:?}");
    }
    let kept = write(
        &alice,
        &bob.creds,
        &gated(json!({"tozny_otp_eacp": {"include": false}, "email_eacp": null})),
    );
    assert_eq!(kept.eacp, None, "nothing to enforce, so nothing kept");
    let raw: Value = bob
        .signed(
            "GET",
            &format!("/v2/storage/notes?note_id={}", kept.note_id.unwrap()),
            None,
        )
        .expect(200)
        .clone();
    assert!(raw.get("eacp").is_none(), "omitted, never null (JS)");

    let anonymous = toz::sdk::Client::new(
        Credentials::generate(&s.url).unwrap(),
        &toz::sdk::http::HttpOptions::default(),
    )
    .unwrap();
    let note = anonymous
        .write_note(
            &Map::new(),
            &recipient(&bob.creds),
            &gated(json!({"tozny_otp_eacp": {"include": true}})),
        )
        .unwrap();
    let id = note.note_id.unwrap();
    assert_eq!(
        bob.sdk().read_note(&id).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let code = anonymous.prime_note(&id, 0).unwrap();
    bob.sdk().read_note_with(&with_otp(&id, &code)).unwrap();
}
