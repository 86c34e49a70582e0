//! Operational properties: durability across kill -9 (SQLite), atomic one-time tokens under
//! concurrency, graceful SIGTERM, and two servers on one PostgreSQL database acting as one.

mod common;

use std::ops::ControlFlow;

use common::*;
use serde_json::json;

on_both_backends!(one_time_token_is_atomic, sigterm_is_graceful);

/// `n` threads register with the same token at once, spread over the given servers.
fn race_registrations(urls: &[String], token: &str, n: usize) -> Vec<u16> {
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let url = format!("{}/v1/account/e3db/clients/register", urls[i % urls.len()]);
            let token = token.to_string();
            std::thread::spawn(move || {
                let creds = toz::sdk::Credentials::generate("").unwrap();
                let body = register_body(&token, &format!("racer-{i}"), &creds, true);
                json_req("POST", &url, None, Some(&body)).status
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn one_time_token_is_atomic(b: Backend) {
    let Some(db) = Db::new(b) else { return };
    let s = Server::start(&db);
    let acct = Account::create(&s);
    for round in 0..3 {
        let token = acct.token_with(&s, &["--uses", "1"]);
        let statuses = race_registrations(std::slice::from_ref(&s.url), &token, 12);
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 403),
            "{statuses:?}"
        );
    }
}

fn sigterm_is_graceful(b: Backend) {
    let Some(db) = Db::new(b) else { return };
    let mut s = Server::start(&db);
    json_req("GET", &format!("{}/healthcheck", s.url), None, None);
    let pid = s.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = s.child.wait().unwrap();
    assert!(status.success(), "SIGTERM should exit cleanly: {status:?}");
}

/// An acknowledged write survives kill -9 of the SQLite server.
#[test]
fn sqlite_acknowledged_writes_survive_kill_9() {
    let db = Db::new(Backend::Sqlite).unwrap();
    let mut s = Server::start(&db);
    let acct = Account::create(&s);
    let c = Client::register(&s, &acct.token, "durable");
    let ids: Vec<String> = (0..25)
        .map(|i| {
            c.write(
                "durable",
                &[("n", &i.to_string())],
                json!({"i": i.to_string()}),
            )["meta"]["record_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    s.kill9();
    let s2 = Server::start(&db);
    let again = Client::login(&s2.url, c.creds.clone(), String::new());
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(again.read_decrypt(id)["n"], i.to_string());
    }
    // OAuth tokens are in the database too: the old bearer still works after the restart.
    let old = Client {
        base: s2.url.clone(),
        creds: c.creds.clone(),
        bearer: c.bearer.clone(),
        backup_client: String::new(),
    };
    old.call("GET", &format!("/v1/storage/records/{}", ids[0]), None)
        .expect(200);
}

/// Two `serve` processes on one PostgreSQL database behave as one server.
#[test]
fn postgres_two_instances_act_as_one() {
    let Some(db) = Db::new(Backend::Postgres) else {
        return;
    };
    let a = Server::start(&db);
    let b = Server::start(&db);
    let acct = Account::create(&a);
    // Register through A, use through B with A's OAuth token.
    let w = Client::register(&a, &acct.token, "writer-on-a");
    let w_on_b = Client {
        base: b.url.clone(),
        creds: w.creds.clone(),
        bearer: w.bearer.clone(),
        backup_client: String::new(),
    };
    let rec = w_on_b.write("multi", &[("f", "across")], json!({}));
    let id = rec["meta"]["record_id"].as_str().unwrap();
    // A reader registered through B; shared through A; read through B.
    let r = Client::register(&b, &acct.token, "reader-on-b");
    w.share("multi", &r);
    assert_eq!(r.read_decrypt(id)["f"], "across");
    let r_on_a = Client {
        base: a.url.clone(),
        creds: r.creds.clone(),
        bearer: r.bearer.clone(),
        backup_client: String::new(),
    };
    assert_eq!(r_on_a.read_decrypt(id)["f"], "across");
    // A TSV1 nonce used on A is a replay on B.
    let path = format!("/v1/storage/clients/{}", w.id());
    let h = w.tsv1_header(
        "GET",
        &path,
        "",
        time_now(),
        &toz::sdk::crypto::random_uuid_v4(),
    );
    json_req("GET", &format!("{}{path}", a.url), Some(&h), None).expect(200);
    json_req("GET", &format!("{}{path}", b.url), Some(&h), None).expect(401);
    // Timestamps stay strictly increasing across the two writers.
    let mut last = String::new();
    for i in 0..10 {
        let via = if i % 2 == 0 { &w } else { &w_on_b };
        let m = via.write("multi", &[("i", "x")], json!({}));
        let created = m["meta"]["created"].as_str().unwrap().to_string();
        assert!(created > last, "{created} after {last}");
        last = created;
    }
    // Revoke on B takes effect on A; a one-time token raced across both is spent once.
    w_on_b.revoke("multi", r.id());
    r_on_a
        .call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    let token = acct.token_with(&a, &["--uses", "1"]);
    let statuses = race_registrations(&[a.url.clone(), b.url.clone()], &token, 10);
    let ok = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(ok, 1);
}

/// Two servers on one PostgreSQL database serve each other's files: in large objects (the
/// default) and in a directory both are given (`--blob-dir`). A server that writes new files to a
/// directory still serves the large objects written before.
#[test]
fn postgres_two_instances_serve_each_others_files() {
    let Some(db) = Db::new(Backend::Postgres) else {
        return;
    };
    let blob_dir = tempfile::tempdir().unwrap();
    let dir = blob_dir.path().to_str().unwrap().to_string();
    let work = tempfile::tempdir().unwrap();
    let plain: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let path = work.path().join("plain.bin");
    std::fs::write(&path, &plain).unwrap();
    let mut earlier: Option<(Client, String)> = None;
    for extra in [vec![], vec!["--blob-dir", dir.as_str()]] {
        let a = Server::start_with(&db.url, &extra);
        let b = Server::start_with(&db.url, &extra);
        let acct = Account::create(&a);
        let w = Client::register(&a, &acct.token, "files-on-a");
        let on = |server: &Server, who: &Client| {
            let mut creds = who.creds.clone();
            creds.api_url = server.url.clone();
            toz::sdk::Client::new(creds, &toz::sdk::http::HttpOptions::default()).unwrap()
        };
        let read_back = |client: &toz::sdk::Client, id: &str| {
            let dest = work
                .path()
                .join(format!("out-{}", toz::sdk::crypto::random_uuid_v4()));
            client
                .read_file(id, &dest, &mut |_, _, _| ControlFlow::Continue(()))
                .unwrap();
            assert_eq!(std::fs::read(&dest).unwrap(), plain);
        };
        let id = on(&a, &w)
            .write_file("multi-file", &path, Default::default(), &mut |_, _, _| {
                ControlFlow::Continue(())
            })
            .unwrap()
            .meta
            .record_id
            .unwrap();
        read_back(&on(&b, &w), &id);
        let id2 = on(&b, &w)
            .write_file("multi-file", &path, Default::default(), &mut |_, _, _| {
                ControlFlow::Continue(())
            })
            .unwrap()
            .meta
            .record_id
            .unwrap();
        read_back(&on(&a, &w), &id2);
        if let Some((old_writer, old_id)) = &earlier {
            // Written to large objects by the first pair, served by a pair using a directory.
            read_back(&on(&b, old_writer), old_id);
            let files = std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_name() != "tmp")
                .count();
            assert_eq!(
                files, 2,
                "the second pair's blobs are in the shared directory"
            );
        }
        earlier = Some((w, id));
    }
}
