//! Large files (spec §8.2, §10, §12.1) against the real binary: libtoz's streamed upload and
//! download (`toz::sdk::Client::write_file` / `read_file`) and raw requests for exact status
//! codes, interrupted and refused uploads, sharing, tampering and the server's memory use. Run on
//! SQLite (blobs in a directory) and, when TOZ_TEST_DATABASE_URL is set, on PostgreSQL (blobs in
//! large objects).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use toz::sdk::crypto::{self, Md5};
use toz::sdk::files::ProgressStage;
use toz::sdk::{ErrorKind, wire};

on_both_backends!(
    file_round_trip,
    upload_protocol,
    expect_continue,
    interrupted_upload,
    abandoned_upload,
    file_sharing,
    tampered_blob,
    large_file_memory,
    single_pass_upload,
    slow_transfer,
    cancelled_transfer,
);

fn no_progress() -> impl FnMut(ProgressStage, u64, u64) -> ControlFlow<()> {
    |_, _, _| ControlFlow::Continue(())
}

/// Deterministic bytes that do not compress.
fn content(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut x: u32 = 0x9e37_79b9;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn md5_b64(bytes: &[u8]) -> String {
    let mut m = Md5::default();
    m.update(bytes);
    m.finish_base64()
}

/// Blob files (not temporaries) under a directory store.
fn blob_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "tmp" || !e.file_type().unwrap().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(e.path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("tmp")).unwrap().count()
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A file of `bytes` in a fresh temporary directory.
fn local_file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Stores `bytes` as a file record of `record_type` through libtoz; returns the record.
fn stored(c: &Client, record_type: &str, bytes: &[u8]) -> toz::sdk::records::PlainRecord {
    let (_dir, path) = local_file(bytes);
    c.sdk()
        .write_file(record_type, &path, Default::default(), &mut no_progress())
        .unwrap()
}

/// The announcement of `bytes` (raw, not encrypted: the server never looks inside).
fn announcement(c: &Client, record_type: &str, bytes: &[u8]) -> Value {
    json!({
        "meta": {"writer_id": c.id(), "user_id": c.id(), "type": record_type, "plain": {"k": "v"},
                 "file_meta": {"size": bytes.len(), "checksum": md5_b64(bytes), "compression": "raw",
                               "file_name": "raw.bin"}},
        "data": {}
    })
}

/// `POST /v1/storage/files` for `bytes`.
fn announce(c: &Client, record_type: &str, bytes: &[u8]) -> Resp {
    c.call(
        "POST",
        "/v1/storage/files",
        Some(&announcement(c, record_type, bytes)),
    )
}

fn put_bytes(url: &str, md5: Option<&str>, body: Vec<u8>) -> Resp {
    let a = agent();
    let mut req = ureq::http::Request::builder()
        .method("PUT")
        .uri(url)
        .header("Content-Type", "application/octet-stream");
    if let Some(m) = md5 {
        req = req.header("Content-MD5", m);
    }
    let resp = a.run(req.body(body).unwrap()).expect("PUT");
    let status = resp.status().as_u16();
    let text = resp.into_body().read_to_string().unwrap_or_default();
    Resp {
        status,
        headers: Vec::new(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// `host:port` and path of an absolute http URL.
fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let slash = rest.find('/').unwrap();
    (rest[..slash].to_string(), rest[slash..].to_string())
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn assert_full_file_meta(meta: &Value) {
    let fm = &meta["file_meta"];
    for k in ["file_url", "file_name", "checksum", "compression", "size"] {
        assert!(fm.get(k).is_some(), "file_meta.{k} missing: {meta}");
    }
    for k in [
        "record_id",
        "writer_id",
        "user_id",
        "type",
        "plain",
        "version",
    ] {
        assert!(meta.get(k).is_some(), "meta.{k} missing: {meta}");
    }
    assert!(is_micros_timestamp(&meta["created"]), "{meta}");
    assert!(is_micros_timestamp(&meta["last_modified"]), "{meta}");
    assert_eq!(fm["compression"], "raw");
}

// Multi-block, exact-multiple and empty files through libtoz; the record in every listing.
fn file_round_trip(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let sdk = alice.sdk();
    let out = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for (i, len) in [3 * 65536 + 7, 0, 2 * 65536].into_iter().enumerate() {
        let bytes = content(len);
        let (_d, path) = local_file(&bytes);
        let mut stages = Vec::new();
        let rec = sdk
            .write_file(
                "docs",
                &path,
                [("n".to_string(), i.to_string())].into(),
                &mut |stage, _, _| {
                    stages.push(stage);
                    ControlFlow::Continue(())
                },
            )
            .unwrap();
        assert!(stages.contains(&ProgressStage::Uploading));
        let id = rec.meta.record_id.clone().unwrap();
        let fm: wire::FileMetaOut =
            serde_json::from_value(rec.meta.file_meta.clone().unwrap()).unwrap();
        assert_eq!(fm.file_name, "plain.bin");
        assert_eq!(fm.compression, "raw");
        assert!(fm.size > len as u64, "size is the encrypted size");
        let dest = out.path().join(format!("out-{i}.bin"));
        let read = sdk.read_file(&id, &dest, &mut no_progress()).unwrap();
        assert_eq!(read.meta.plain["n"], i.to_string());
        assert_eq!(std::fs::read(&dest).unwrap(), bytes, "file {i}");
        ids.push(id);
    }
    if let Some(dir) = db.sqlite_blob_dir() {
        assert_eq!(blob_files(&dir).len(), 3);
        assert_eq!(temp_files(&dir), 0);
    }

    // Raw: the commit and the reads carry the full file_meta (PY indexes every key).
    let id = ids[0].clone();
    let got = alice.call("GET", &format!("/v1/storage/files/{id}"), None);
    let meta = got.expect(200)["meta"].clone();
    assert_full_file_meta(&meta);
    let url = meta["file_meta"]["file_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/v1/storage/files/download/", s.url)),
        "{url}"
    );
    let size = meta["file_meta"]["size"].as_u64().unwrap();
    // The download URL needs no Authorization; a wrong secret is refused.
    let dl = send("GET", url, None, None, None);
    assert_eq!(dl.status, 200);
    assert_eq!(dl.header("content-length"), Some(size.to_string().as_str()));
    let (head, _) = url.rsplit_once('/').unwrap();
    send(
        "GET",
        &format!("{head}/{}", "0".repeat(64)),
        None,
        None,
        None,
    )
    .expect(403);
    // GET of the record itself: file_meta present, no URL needed.
    let rec = alice.call("GET", &format!("/v1/storage/records/{id}"), None);
    let rmeta = &rec.expect(200)["meta"];
    assert_full_file_meta(rmeta);
    assert_eq!(rmeta["file_meta"]["file_url"], "");
    // v1 query and v2 search: record_data {} and meta.file_meta.
    let plain = alice.write("docs", &[("f", "x")], json!({}));
    let q = alice.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"include_data": true, "content_types": ["docs"]})),
    );
    let results = q.expect(200)["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 4);
    for r in &results {
        if r["meta"]["record_id"] == plain["meta"]["record_id"] {
            assert!(r["meta"].get("file_meta").is_none(), "not a file: {r}");
        } else {
            assert_eq!(r["record_data"], json!({}));
            assert_full_file_meta(&r["meta"]);
        }
    }
    let v2 = alice.call("POST", "/v2/search", Some(&json!({"include_data": true})));
    let results = v2.expect(200)["results"].as_array().unwrap().clone();
    assert_eq!(
        results
            .iter()
            .filter(|r| r["meta"].get("file_meta").is_some())
            .count(),
        3
    );
    // A record that is not a file has no download.
    let pid = plain["meta"]["record_id"].as_str().unwrap();
    alice
        .call("GET", &format!("/v1/storage/files/{pid}"), None)
        .expect(404);
    // Deleting a file record deletes its blob and its download URLs.
    sdk.delete_record(&id, None).unwrap();
    send("GET", url, None, None, None).expect(403);
    alice
        .call("GET", &format!("/v1/storage/files/{id}"), None)
        .expect(404);
    if let Some(dir) = db.sqlite_blob_dir() {
        assert_eq!(blob_files(&dir).len(), 2);
    }
    // The JS bulk delete releases blobs too.
    let bulk = alice.signed(
        "DELETE",
        "/v2/storage/records/bulk/delete",
        Some(&json!({"record_ids": [ids[1]]})),
    );
    bulk.expect(200);
    if let Some(dir) = db.sqlite_blob_dir() {
        assert_eq!(blob_files(&dir).len(), 1);
    }
    assert_no_orphan_blobs(&db);
}

// The three steps with exact status codes, and every refusal keeping nothing.
fn upload_protocol(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let mallory = Client::register(&s, &acct.token, "mallory");
    let bytes = content(100_000);
    // Announce: 400 for a bad file_meta, 403 for another writer's ids, 401 without auth.
    let bad = |fm: Value| json!({"meta": {"writer_id": alice.id(), "user_id": alice.id(), "type": "t", "file_meta": fm}});
    for fm in [
        json!(null),
        json!({"size": 1, "checksum": "not base64"}),
        json!({"size": -5, "checksum": md5_b64(b"")}),
    ] {
        alice
            .call("POST", "/v1/storage/files", Some(&bad(fm)))
            .expect(400);
    }
    mallory
        .call(
            "POST",
            "/v1/storage/files",
            Some(&bad(json!({"size": 1, "checksum": md5_b64(b"x")}))),
        )
        .expect(403);
    json_req(
        "POST",
        &format!("{}/v1/storage/files", s.url),
        None,
        Some(&bad(json!({"size": 1, "checksum": md5_b64(b"x")}))),
    )
    .expect(401);
    // TSV1 works as well as Bearer (as on every storage endpoint).
    alice
        .signed(
            "POST",
            "/v1/storage/files",
            Some(&announcement(&alice, "t", &bytes)),
        )
        .expect(202);
    let pending = announce(&alice, "t", &bytes);
    let p = pending.expect(202).clone();
    let (id, url) = (
        p["id"].as_str().unwrap().to_string(),
        p["file_url"].as_str().unwrap().to_string(),
    );
    assert!(
        url.starts_with(&format!("{}/v1/storage/files/upload/{id}/", s.url)),
        "{url}"
    );
    let md5 = md5_b64(&bytes);
    let commit = |who: &Client| who.call("PATCH", &format!("/v1/storage/files/{id}"), None);
    // Not uploaded yet: commit 400.
    commit(&alice).expect(400);
    // Wrong secret, wrong id: 403.
    let (base, _) = url.rsplit_once('/').unwrap();
    put_bytes(
        &format!("{base}/{}", "f".repeat(64)),
        Some(&md5),
        bytes.clone(),
    )
    .expect(403);
    put_bytes(
        &format!(
            "{}/v1/storage/files/upload/{}/x",
            s.url,
            crypto::random_uuid_v4()
        ),
        Some(&md5),
        bytes.clone(),
    )
    .expect(403);
    // Content-MD5 not the announced checksum; body not matching it; wrong length: 400.
    put_bytes(&url, Some(&md5_b64(b"other")), bytes.clone()).expect(400);
    let mut flipped = bytes.clone();
    flipped[500] ^= 1;
    put_bytes(&url, Some(&md5), flipped.clone()).expect(400);
    put_bytes(&url, None, flipped).expect(400);
    put_bytes(&url, Some(&md5), bytes[..1000].to_vec()).expect(400);
    let mut longer = bytes.clone();
    longer.push(0);
    put_bytes(&url, Some(&md5), longer).expect(400);
    commit(&alice).expect(400);
    if let Some(dir) = db.sqlite_blob_dir() {
        assert!(blob_files(&dir).is_empty());
        assert_eq!(temp_files(&dir), 0);
    }
    // The real upload: 200 (PY and JV require exactly 200), then the URL is spent (409).
    let ok = put_bytes(&url, Some(&md5), bytes.clone());
    assert_eq!(ok.status, 200, "{}", ok.text);
    put_bytes(&url, Some(&md5), bytes.clone()).expect(409);
    // Commit: only the writer (403), 201 once, then the pending id is gone (404).
    commit(&mallory).expect(403);
    let rec = commit(&alice);
    let meta = rec.expect(201)["meta"].clone();
    assert_full_file_meta(&meta);
    assert_eq!(meta["file_meta"]["file_name"], "raw.bin");
    assert_eq!(meta["file_meta"]["checksum"], md5.as_str());
    assert_eq!(meta["file_meta"]["size"], bytes.len());
    assert_eq!(meta["writer_id"], alice.id());
    assert_eq!(meta["plain"], json!({"k": "v"}));
    commit(&alice).expect(404);
    alice
        .call("PATCH", "/v1/storage/files/not-a-uuid", None)
        .expect(404);
    // Download returns exactly the uploaded bytes.
    let rid = meta["record_id"].as_str().unwrap();
    let got = alice.call("GET", &format!("/v1/storage/files/{rid}"), None);
    let dl_url = got.expect(200)["meta"]["file_meta"]["file_url"]
        .as_str()
        .unwrap()
        .to_string();
    let dl = agent()
        .get(&dl_url)
        .call()
        .unwrap()
        .into_body()
        .with_config()
        .limit(1 << 24)
        .read_to_vec()
        .unwrap();
    assert_eq!(dl, bytes);
    // An empty file is a valid upload.
    let empty = announce(&alice, "t", b"");
    let e = empty.expect(202).clone();
    put_bytes(
        e["file_url"].as_str().unwrap(),
        Some(&md5_b64(b"")),
        Vec::new(),
    )
    .expect(200);
    alice
        .call(
            "PATCH",
            &format!("/v1/storage/files/{}", e["id"].as_str().unwrap()),
            None,
        )
        .expect(201);
    // --public-url is used for URLs instead of the Host header.
    let proxied = Server::start_with(&s.db_url, &["--public-url", "https://toz.example.com/"]);
    let via = Client::login(&proxied.url, alice.creds.clone(), String::new());
    let p = announce(&via, "t", &bytes);
    let u = p.expect(202)["file_url"].as_str().unwrap().to_string();
    assert!(
        u.starts_with("https://toz.example.com/v1/storage/files/upload/"),
        "{u}"
    );
}

// JS in Node sends `Expect: 100-continue` and waits for it before the body.
fn expect_continue(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bytes = content(70_000);
    let md5 = md5_b64(&bytes);
    let request = |url: &str, md5: &str| {
        let (host, path) = split_url(url);
        let mut stream = TcpStream::connect(&host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n\
             Content-MD5: {md5}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            bytes.len()
        )
        .unwrap();
        let head = read_head(&mut stream);
        (stream, head)
    };
    let p = announce(&alice, "t", &bytes).expect(202).clone();
    let url = p["file_url"].as_str().unwrap();
    // A refused checksum is answered without asking for the body.
    let (_s, head) = request(url, &md5_b64(b"nope"));
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    let (mut stream, head) = request(url, &md5);
    assert!(head.starts_with("HTTP/1.1 100"), "{head}");
    stream.write_all(&bytes).unwrap();
    let head = read_head(&mut stream);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    alice
        .call(
            "PATCH",
            &format!("/v1/storage/files/{}", p["id"].as_str().unwrap()),
            None,
        )
        .expect(201);
}

// A client that drops the connection mid-body leaves no record and no blob.
fn interrupted_upload(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bytes = content(3 * 1024 * 1024);
    let md5 = md5_b64(&bytes);
    let p = announce(&alice, "t", &bytes).expect(202).clone();
    let (id, url) = (p["id"].as_str().unwrap(), p["file_url"].as_str().unwrap());
    let (host, path) = split_url(url);
    {
        let mut stream = TcpStream::connect(&host).unwrap();
        write!(
            stream,
            "PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-MD5: {md5}\r\nContent-Length: {}\r\n\r\n",
            bytes.len()
        )
        .unwrap();
        stream.write_all(&bytes[..bytes.len() / 2]).unwrap();
        stream.flush().unwrap();
        if let Some(dir) = db.sqlite_blob_dir() {
            wait_for("the upload to reach a temporary file", || {
                temp_files(&dir) == 1
            });
        }
        std::thread::sleep(Duration::from_millis(200));
        // Dropped: the connection closes half-way.
    }
    if let Some(dir) = db.sqlite_blob_dir() {
        wait_for("the temporary file to go", || temp_files(&dir) == 0);
        assert!(blob_files(&dir).is_empty());
    }
    assert_no_orphan_blobs(&db);
    // Nothing was attached: no commit, no record; the URL still takes a complete upload.
    let commit = || alice.call("PATCH", &format!("/v1/storage/files/{id}"), None);
    commit().expect(400);
    let q = alice.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"content_types": ["t"]})),
    );
    assert_eq!(q.expect(200)["results"], json!([]));
    put_bytes(url, Some(&md5), bytes).expect(200);
    commit().expect(201);
    if let Some(dir) = db.sqlite_blob_dir() {
        assert_eq!(blob_files(&dir).len(), 1);
    }
}

// An upload never committed is purged with its blob; URLs expire.
fn abandoned_upload(b: Backend) {
    let Some(db) = Db::new(b) else { return };
    let s = Server::start_with(&db.url, &["--file-url-secs", "1"]);
    let acct = Account::create(&s);
    let alice = Client::register(&s, &acct.token, "alice");
    let bytes = content(10_000);
    let md5 = md5_b64(&bytes);
    let p = announce(&alice, "t", &bytes).expect(202).clone();
    let id = p["id"].as_str().unwrap();
    put_bytes(p["file_url"].as_str().unwrap(), Some(&md5), bytes.clone()).expect(200);
    let late = announce(&alice, "t", &bytes).expect(202).clone();
    // A committed file's download URL, to see it expire.
    let done = announce(&alice, "t", &bytes).expect(202).clone();
    put_bytes(
        done["file_url"].as_str().unwrap(),
        Some(&md5),
        bytes.clone(),
    )
    .expect(200);
    let rec = alice.call(
        "PATCH",
        &format!("/v1/storage/files/{}", done["id"].as_str().unwrap()),
        None,
    );
    let rid = rec.expect(201)["meta"]["record_id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = alice.call("GET", &format!("/v1/storage/files/{rid}"), None);
    let dl = got.expect(200)["meta"]["file_meta"]["file_url"]
        .as_str()
        .unwrap()
        .to_string();
    if let Some(dir) = db.sqlite_blob_dir() {
        assert_eq!(blob_files(&dir).len(), 2);
    }
    std::thread::sleep(Duration::from_millis(2200));
    // Expired URLs: 403.
    put_bytes(
        late["file_url"].as_str().unwrap(),
        Some(&md5),
        bytes.clone(),
    )
    .expect(403);
    send("GET", &dl, None, None, None).expect(403);
    // The next announcement sweeps abandoned uploads: the uncommitted one and its blob go; the
    // committed file stays.
    announce(&alice, "t", &bytes).expect(202);
    wait_for("the abandoned upload to be purged", || {
        alice
            .call("PATCH", &format!("/v1/storage/files/{id}"), None)
            .status
            == 404
    });
    if let Some(dir) = db.sqlite_blob_dir() {
        wait_for("the abandoned blob to go", || blob_files(&dir).len() == 1);
    }
    assert_no_orphan_blobs(&db);
    alice
        .call("GET", &format!("/v1/storage/files/{rid}"), None)
        .expect(200);
}

// Readers by read policy, exactly like records: not shared 403, shared ok, revoked 403.
fn file_sharing(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bob = Client::register(&s, &acct.token, "bob");
    let bytes = content(65_536 + 1);
    let id = stored(&alice, "shared-docs", &bytes)
        .meta
        .record_id
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("got.bin");
    let bob_sdk = bob.sdk();
    let refused = bob_sdk
        .read_file(&id, &dest, &mut no_progress())
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused:?}");
    alice.sdk().share("shared-docs", bob.id()).unwrap();
    bob_sdk.read_file(&id, &dest, &mut no_progress()).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    std::fs::remove_file(&dest).unwrap();
    alice.sdk().revoke("shared-docs", bob.id()).unwrap();
    let revoked = bob_sdk
        .read_file(&id, &dest, &mut no_progress())
        .unwrap_err();
    assert_eq!(revoked.kind(), ErrorKind::Forbidden, "{revoked:?}");
    assert!(!dest.exists());
    // Bob cannot delete it either.
    bob.call("DELETE", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
}

// Bytes changed in the blob store fail decryption in the client, leaving no output file.
fn tampered_blob(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let rec = stored(&alice, "t", &content(3 * 65_536 + 7));
    let id = rec.meta.record_id.unwrap();
    let size = rec.meta.file_meta.unwrap()["size"].as_u64().unwrap();
    match db.sqlite_blob_dir() {
        Some(dir) => {
            let files = blob_files(&dir);
            assert_eq!(files.len(), 1);
            let mut blob = std::fs::read(&files[0]).unwrap();
            assert_eq!(blob.len() as u64, size);
            let mid = blob.len() / 2;
            blob[mid] ^= 0x40;
            std::fs::write(&files[0], blob).unwrap();
        }
        None => tamper_large_object(&db.url, &id, size / 2),
    }
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("never.bin");
    let err = alice
        .sdk()
        .read_file(&id, &dest, &mut no_progress())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crypto, "{err:?}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no partial output"
    );
}

/// Runs `f` with a pool on the test's database.
fn with_db<T>(url: &str, f: impl AsyncFnOnce(sqlx::AnyPool) -> T) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        f(sqlx::AnyPool::connect(url).await.unwrap()).await
    })
}

/// On PostgreSQL: every large object is named by a record or a pending upload. (Objects of
/// uploads still in flight are invisible to other sessions until their transaction commits,
/// which also attaches them, so this holds at every instant.)
fn assert_no_orphan_blobs(db: &Db) {
    if db.sqlite_blob_dir().is_some() {
        return;
    }
    let orphans: i64 = with_db(&db.url, async |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_largeobject_metadata m WHERE \
             NOT EXISTS (SELECT 1 FROM records r WHERE r.file_blob = 'lo:' || CAST(m.oid AS TEXT)) AND \
             NOT EXISTS (SELECT 1 FROM pending_files p WHERE p.blob_key = 'lo:' || CAST(m.oid AS TEXT))",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    });
    assert_eq!(orphans, 0, "orphaned large objects");
}

/// Flips one byte of a record's large object, straight in PostgreSQL.
fn tamper_large_object(url: &str, record_id: &str, offset: u64) {
    with_db(url, async |pool| {
        let key: String = sqlx::query_scalar("SELECT file_blob FROM records WHERE id = $1")
            .bind(record_id)
            .fetch_one(&pool)
            .await
            .unwrap();
        let oid: i64 = key.strip_prefix("lo:").unwrap().parse().unwrap();
        let byte: Vec<u8> =
            sqlx::query_scalar("SELECT lo_get(CAST(CAST($1 AS BIGINT) AS OID), $2, 1)")
                .bind(oid)
                .bind(offset as i64)
                .fetch_one(&pool)
                .await
                .unwrap();
        sqlx::query("SELECT lo_put(CAST(CAST($1 AS BIGINT) AS OID), $2, $3)")
            .bind(oid)
            .bind(offset as i64)
            .bind(vec![byte[0] ^ 0x40])
            .execute(&pool)
            .await
            .unwrap();
    });
}

// A 64 MiB file streams through the server in bounded memory, both ways.
fn large_file_memory(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let len = 64 * 1024 * 1024;
    let bytes = content(len);
    let (_d, path) = local_file(&bytes);
    drop(bytes);
    let before = s.peak_rss();
    let sdk = alice.sdk();
    let rec = sdk
        .write_file("big", &path, Default::default(), &mut no_progress())
        .unwrap();
    let after_upload = s.peak_rss();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("big.bin");
    sdk.read_file(
        rec.meta.record_id.as_deref().unwrap(),
        &dest,
        &mut no_progress(),
    )
    .unwrap();
    let after_download = s.peak_rss();
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), len as u64);
    assert!(std::fs::read(&dest).unwrap() == std::fs::read(&path).unwrap());
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    eprintln!(
        "server peak RSS: {:.1} MiB before, {:.1} MiB after a 64 MiB upload, {:.1} MiB after its download",
        mib(before),
        mib(after_upload),
        mib(after_download)
    );
    assert!(
        after_download < before + 16 * 1024 * 1024,
        "server memory grew with the file: {:.1} -> {:.1} MiB",
        mib(before),
        mib(after_download)
    );
}

/// toz-server's single-pass upload (docs/compatibility.md): announced without a checksum, the
/// bytes streamed as they are encrypted, the MD5 recorded from what arrived. libtoz uses it
/// here by default and the checksum-first protocol when told not to; both store the same.
fn single_pass_upload(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");

    // The server says what it offers, without authentication.
    let info = send("GET", &format!("{}/v1/toz/server", s.url), None, None, None);
    let info: wire::ServerInfo = serde_json::from_value(info.expect(200).clone()).unwrap();
    assert_eq!(info.server, "toz-server");
    assert!(
        info.features
            .iter()
            .any(|f| f == wire::FEATURE_SINGLE_PASS_UPLOAD)
    );

    // Raw: no checksum announced; the commit carries the MD5 of the bytes received.
    let bytes = content(200_000);
    let mut body = announcement(&alice, "raw-single", &bytes);
    body["meta"]["file_meta"]
        .as_object_mut()
        .unwrap()
        .remove("checksum");
    let pending = alice.call("POST", "/v1/storage/files", Some(&body));
    let (id, url) = pending_parts(pending.expect(202));
    put_bytes(&url, None, bytes.clone()).expect(200);
    let committed = alice.call("PATCH", &format!("/v1/storage/files/{id}"), None);
    let meta = committed.expect(201)["meta"].clone();
    assert_full_file_meta(&meta);
    assert_eq!(meta["file_meta"]["checksum"], md5_b64(&bytes));
    let record_id = meta["record_id"].as_str().unwrap().to_string();
    let got = alice.call("GET", &format!("/v1/storage/files/{record_id}"), None);
    let download = got.expect(200)["meta"]["file_meta"]["file_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(get_bytes(&download), bytes);

    // Raw: a Content-MD5 given with such an upload is still checked, and so is the size.
    let pending = alice.call("POST", "/v1/storage/files", Some(&body));
    let (id, url) = pending_parts(pending.expect(202));
    put_bytes(&url, Some(&md5_b64(b"other")), bytes.clone()).expect(400);
    put_bytes(&url, None, bytes[..1000].to_vec()).expect(400);
    alice
        .call("PATCH", &format!("/v1/storage/files/{id}"), None)
        .expect(400);
    put_bytes(&url, Some(&md5_b64(&bytes)), bytes.clone()).expect(200);
    alice
        .call("PATCH", &format!("/v1/storage/files/{id}"), None)
        .expect(201);

    // libtoz: single pass by default (Uploading only), checksum first when told (Encrypting,
    // then Uploading). Both store a checksum that is the MD5 of the stored bytes.
    let len = 3 * 65536 + 11;
    let plaintext = content(len);
    let (_d, path) = local_file(&plaintext);
    let checksum_first = alice.sdk_checksum_first();
    let out = tempfile::tempdir().unwrap();
    for (sdk, want) in [
        (alice.sdk(), vec![ProgressStage::Uploading]),
        (
            checksum_first,
            vec![ProgressStage::Encrypting, ProgressStage::Uploading],
        ),
    ] {
        let mut events = Vec::new();
        let rec = sdk
            .write_file(
                "sdk-files",
                &path,
                Default::default(),
                &mut |st, done, total| {
                    events.push((st, done, total));
                    ControlFlow::Continue(())
                },
            )
            .unwrap();
        let mut stages: Vec<ProgressStage> = events.iter().map(|e| e.0).collect();
        stages.dedup();
        assert_eq!(stages, want);
        let fm: wire::FileMetaOut =
            serde_json::from_value(rec.meta.file_meta.clone().unwrap()).unwrap();
        assert_eq!(fm.size, toz::sdk::file_crypto::encrypted_size(len as u64));
        let last = events.last().unwrap();
        assert_eq!(
            (last.1, last.2),
            (fm.size, fm.size),
            "upload progress ends at the size"
        );
        let rid = rec.meta.record_id.clone().unwrap();
        let got = alice.call("GET", &format!("/v1/storage/files/{rid}"), None);
        let url = got.expect(200)["meta"]["file_meta"]["file_url"]
            .as_str()
            .unwrap()
            .to_string();
        let stored = get_bytes(&url);
        assert_eq!(stored.len() as u64, fm.size);
        assert_eq!(fm.checksum, md5_b64(&stored));
        let dest = out.path().join(format!("{rid}.bin"));
        sdk.read_file(&rid, &dest, &mut no_progress()).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), plaintext);
    }

    // A pipe has no length to announce: it goes checksum first, and still arrives whole.
    let fifo_dir = tempfile::tempdir().unwrap();
    let fifo = fifo_dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let (fifo, plaintext) = (fifo.clone(), plaintext.clone());
        std::thread::spawn(move || std::fs::write(fifo, plaintext).unwrap())
    };
    let mut stages = Vec::new();
    let rec = alice
        .sdk()
        .write_file("sdk-files", &fifo, Default::default(), &mut |st, _, _| {
            stages.push(st);
            ControlFlow::Continue(())
        })
        .unwrap();
    writer.join().unwrap();
    stages.dedup();
    assert_eq!(
        stages,
        [ProgressStage::Encrypting, ProgressStage::Uploading]
    );
    let dest = out.path().join("from-pipe.bin");
    alice
        .sdk()
        .read_file(
            rec.meta.record_id.as_deref().unwrap(),
            &dest,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), plaintext);
    let dir_err = alice
        .sdk()
        .write_file(
            "sdk-files",
            fifo_dir.path(),
            Default::default(),
            &mut no_progress(),
        )
        .unwrap_err();
    assert_eq!(dir_err.kind(), ErrorKind::InvalidArgument, "{dir_err}");

    // A file whose length is not what it said when the upload began (here a /proc file, which
    // stats as empty) fails with InvalidArgument and stores nothing.
    let err = alice
        .sdk()
        .write_file(
            "changing",
            Path::new("/proc/self/status"),
            Default::default(),
            &mut no_progress(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.message().contains("changed"), "{err}");
    let q = alice.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"content_types": ["changing"]})),
    );
    assert_eq!(q.expect(200)["results"], json!([]));
    assert_no_orphan_blobs(&db);
}

fn pending_parts(pending: &Value) -> (String, String) {
    (
        pending["id"].as_str().unwrap().to_string(),
        pending["file_url"].as_str().unwrap().to_string(),
    )
}

fn get_bytes(url: &str) -> Vec<u8> {
    let resp = agent()
        .run(
            ureq::http::Request::builder()
                .method("GET")
                .uri(url)
                .body(())
                .unwrap(),
        )
        .expect("GET");
    assert_eq!(resp.status().as_u16(), 200);
    resp.into_body()
        .into_with_config()
        .limit(u64::MAX)
        .read_to_vec()
        .unwrap()
}

/// A transfer may take longer than the client's `timeout_ms` as long as it keeps moving: the
/// timeout bounds each read and write of a file transfer, not the whole of it. Here a progress
/// callback that dawdles makes an upload and a download last about twice the timeout.
fn slow_transfer(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bytes = content(1024 * 1024);
    let (_d, path) = local_file(&bytes);
    for single_pass in [true, false] {
        let sdk = alice.sdk_with(toz::sdk::http::HttpOptions {
            timeout_ms: 1000,
            single_pass_uploads: single_pass,
            ..Default::default()
        });
        let started = Instant::now();
        // About eight pauses of 250 ms spread over each transfer.
        let mut current = None;
        let mut next_pause = 0u64;
        let mut dawdle = |stage: ProgressStage, done: u64, total: u64| {
            if current != Some(stage) {
                current = Some(stage);
                next_pause = 0;
            }
            if stage != ProgressStage::Encrypting && done >= next_pause {
                std::thread::sleep(Duration::from_millis(250));
                next_pause += total / 8 + 1;
            }
            ControlFlow::Continue(())
        };
        let rec = sdk
            .write_file("slow", &path, Default::default(), &mut dawdle)
            .unwrap();
        let upload = started.elapsed();
        let started = Instant::now();
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("slow.bin");
        sdk.read_file(rec.meta.record_id.as_deref().unwrap(), &dest, &mut dawdle)
            .unwrap();
        let download = started.elapsed();
        assert_eq!(std::fs::read(&dest).unwrap(), bytes);
        assert!(
            upload > Duration::from_millis(1500) && download > Duration::from_millis(1500),
            "the transfers were meant to outlast the timeout: {upload:?}, {download:?}"
        );
    }
}

/// A progress callback that returns `Break` stops the transfer at once: the call fails with
/// Cancelled and nothing is stored, whichever way the upload goes and at whichever stage; a
/// cancelled download leaves nothing at its destination. The client works on afterwards.
fn cancelled_transfer(b: Backend) {
    let Some((db, s, acct)) = setup(b) else {
        return;
    };
    let alice = Client::register(&s, &acct.token, "alice");
    let bytes = content(5 * 65536 + 3);
    let (_d, path) = local_file(&bytes);
    let checksum_first = alice.sdk_checksum_first();
    let single_pass = alice.sdk();
    let halfway = |at: ProgressStage| {
        move |stage: ProgressStage, done: u64, total: u64| {
            if stage == at && done * 2 >= total {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    };
    for (sdk, stage) in [
        (&single_pass, ProgressStage::Uploading),
        (&checksum_first, ProgressStage::Encrypting),
        (&checksum_first, ProgressStage::Uploading),
    ] {
        let err = sdk
            .write_file("cancelled", &path, Default::default(), &mut halfway(stage))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled, "{stage:?}: {err}");
    }
    let q = alice.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"content_types": ["cancelled"]})),
    );
    assert_eq!(q.expect(200)["results"], json!([]), "nothing was stored");
    assert_no_orphan_blobs(&db);

    // Downloads: cancelled halfway, nothing is left at the destination or beside it.
    let rec = single_pass
        .write_file("kept", &path, Default::default(), &mut no_progress())
        .unwrap();
    let id = rec.meta.record_id.unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("copy.bin");
    let err = single_pass
        .read_file(&id, &dest, &mut halfway(ProgressStage::Downloading))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    single_pass
        .read_file(&id, &dest, &mut no_progress())
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}
