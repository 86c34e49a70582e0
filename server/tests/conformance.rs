//! HTTP conformance tests written from the spec (shared/spec/tozstore-protocol.md), run against
//! the real binary on SQLite and, when TOZ_TEST_DATABASE_URL is set, on PostgreSQL.

mod common;

use common::*;
use serde_json::{Value, json};
use toz::sdk::{Credentials, crypto};

on_both_backends!(
    registration,
    registration_token_limits,
    oauth_tokens,
    tsv1_signatures,
    client_info,
    records_crud,
    record_size_limits,
    access_keys,
    sharing_and_revoke,
    authorizers,
    query_v1,
    search_v2,
    account_api,
    credential_backup,
    client_admin,
    authorisation_matrix,
    bad_input,
    cors_and_paths,
);

// §2.1, Appendix C 7-8.
fn registration(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let creds = Credentials::generate(&s.url).unwrap();
    let url = format!("{}/v1/account/e3db/clients/register", s.url);
    let r = json_req(
        "POST",
        &url,
        None,
        Some(&register_body(&acct.token, "with-sig", &creds, true)),
    );
    let body = r.expect(201);
    assert_eq!(
        r.header("x-backup-client"),
        Some(acct.queen.client_id.as_str())
    );
    assert_eq!(body["name"], "with-sig");
    assert_eq!(body["public_key"]["curve25519"], creds.public_key.as_str());
    assert_eq!(
        body["signing_key"]["ed25519"],
        creds.public_signing_key.as_str()
    );
    assert_eq!(body["enabled"], true);
    assert_eq!(body["has_backup"], false);
    assert_eq!(body["type"], "general");
    for k in ["client_id", "api_key_id", "api_secret"] {
        assert!(body[k].as_str().is_some_and(|v| !v.is_empty()), "{k}");
    }
    assert_eq!(
        body["client_id"].as_str().unwrap(),
        body["client_id"].as_str().unwrap().to_lowercase()
    );
    // Without a signing key: `signing_key` is {} (never null, never absent).
    let r = json_req(
        "POST",
        &url,
        None,
        Some(&register_body(&acct.token, "no-sig", &creds, false)),
    );
    assert_eq!(r.expect(201)["signing_key"], json!({}));
    assert!(r.header("x-backup-client").is_some());
    // Bad token, bad key, missing key.
    let r = json_req(
        "POST",
        &url,
        None,
        Some(&register_body("0000", "x", &creds, true)),
    );
    assert!(r.status == 403, "{}", r.text);
    r.expect(403);
    let mut bad = register_body(&acct.token, "x", &creds, true);
    bad["client"]["public_key"]["curve25519"] = json!("not base64!");
    json_req("POST", &url, None, Some(&bad)).expect(400);
    bad["client"]["public_key"]["curve25519"] = json!(crypto::b64url_encode(&[1u8; 31]));
    json_req("POST", &url, None, Some(&bad)).expect(400);
}

// §2.3 permissions plus toz's expiry; atomic one-time spending is in operations.rs.
fn registration_token_limits(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let url = format!("{}/v1/account/e3db/clients/register", s.url);
    let creds = Credentials::generate(&s.url).unwrap();
    let twice = acct.token_with(&s, &["--uses", "2"]);
    for _ in 0..2 {
        json_req(
            "POST",
            &url,
            None,
            Some(&register_body(&twice, "n", &creds, true)),
        )
        .expect(201);
    }
    json_req(
        "POST",
        &url,
        None,
        Some(&register_body(&twice, "n", &creds, true)),
    )
    .expect(403);
    let expiring = acct.token_with(&s, &["--expires-in", "1s"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    json_req(
        "POST",
        &url,
        None,
        Some(&register_body(&expiring, "n", &creds, true)),
    )
    .expect(403);
    let typed = acct.token_with(&s, &["--allowed-type", "identity"]);
    json_req(
        "POST",
        &url,
        None,
        Some(&register_body(&typed, "n", &creds, true)),
    )
    .expect(403);
    let mut body = register_body(&typed, "n", &creds, true);
    body["client"]["type"] = json!("identity");
    assert_eq!(
        json_req("POST", &url, None, Some(&body)).expect(201)["type"],
        "identity"
    );
}

// §3.1, Appendix C 2-3.
fn oauth_tokens(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "oauth");
    let r = oauth_token(&s.url, &c.creds.api_key_id, &c.creds.api_secret);
    let body = r.expect(200);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["access_token"].as_str().unwrap().len() >= 32);
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!(expires_in > 60, "{expires_in}");
    assert!(
        is_micros_timestamp(&body["expires_at"]),
        "{}",
        body["expires_at"]
    );
    // Any Content-Type (JS's invalid one, JV's text/plain), and form fields instead of Basic.
    for ct in ["x-www-form-urlencoded", "text/plain"] {
        let r = send(
            "POST",
            &format!("{}/v1/auth/token", s.url),
            Some(&basic(&c.creds.api_key_id, &c.creds.api_secret)),
            Some(ct),
            Some(b"grant_type=client_credentials".to_vec()),
        );
        r.expect(200);
    }
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        c.creds.api_key_id, c.creds.api_secret
    );
    send(
        "POST",
        &format!("{}/v1/auth/token", s.url),
        None,
        Some("application/x-www-form-urlencoded"),
        Some(form.into_bytes()),
    )
    .expect(200);
    // Wrong secret, unknown id, no credentials: 401 with a JSON error.
    oauth_token(&s.url, &c.creds.api_key_id, &"0".repeat(64)).expect(401);
    oauth_token(&s.url, "nobody", "nothing").expect(401);
    send(
        "POST",
        &format!("{}/v1/auth/token", s.url),
        None,
        None,
        None,
    )
    .expect(401);
    // The token authenticates; a garbage one does not.
    c.call("GET", &format!("/v1/storage/clients/{}", c.id()), None)
        .expect(200);
    json_req(
        "GET",
        &format!("{}/v1/storage/clients/{}", s.url, c.id()),
        Some("Bearer nope"),
        None,
    )
    .expect(401);
    json_req(
        "GET",
        &format!("{}/v1/storage/clients/{}", s.url, c.id()),
        None,
        None,
    )
    .expect(401);
    json_req(
        "GET",
        &format!("{}/v1/storage/clients/{}", s.url, c.id()),
        Some("bearer x y"),
        None,
    )
    .expect(401);
}

// §3.2: every authenticated endpoint accepts TSV1; skew and replays are refused.
fn tsv1_signatures(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "tsv1");
    let path = format!("/v1/storage/clients/{}", c.id());
    c.signed("GET", &path, None).expect(200);
    let rec = c.write("tsv1-type", &[("f", "v")], json!({}));
    let rid = rec["meta"]["record_id"].as_str().unwrap();
    c.signed("GET", &format!("/v1/storage/records/{rid}?field=f"), None)
        .expect(200);
    c.signed("POST", "/v1/storage/search", Some(&json!({"count": 5})))
        .expect(200);
    // Replay: the same header twice.
    let h = c.tsv1_header("GET", &path, "", time_now(), &crypto::random_uuid_v4());
    json_req("GET", &format!("{}{path}", s.url), Some(&h), None).expect(200);
    json_req("GET", &format!("{}{path}", s.url), Some(&h), None).expect(401);
    // Outside the ±5 min window.
    let old = c.tsv1_header(
        "GET",
        &path,
        "",
        time_now() - 600,
        &crypto::random_uuid_v4(),
    );
    json_req("GET", &format!("{}{path}", s.url), Some(&old), None).expect(401);
    // Signed for another path or method.
    let other = c.tsv1_header(
        "GET",
        "/v1/storage/clients/other",
        "",
        time_now(),
        &crypto::random_uuid_v4(),
    );
    json_req("GET", &format!("{}{path}", s.url), Some(&other), None).expect(401);
    let post = c.tsv1_header("POST", &path, "", time_now(), &crypto::random_uuid_v4());
    json_req("GET", &format!("{}{path}", s.url), Some(&post), None).expect(401);
    // Malformed headers.
    for bad in [
        "TSV1-ED25519-BLAKE2B; a; b; c; uid:; d",
        "TSV1-ED25519-BLAKE2B",
        "Basic abc",
    ] {
        json_req("GET", &format!("{}{path}", s.url), Some(bad), None).expect(401);
    }
    // Another client's key with this client's uid.
    let d = Client::register(&s, &acct.token, "tsv1-other");
    let forged = toz::sdk::tsv1::sign(
        &path,
        "",
        "GET",
        &d.creds.signing_public().unwrap(),
        &d.creds.signing_secret().unwrap(),
        time_now(),
        &crypto::random_uuid_v4(),
        c.id(),
    );
    json_req("GET", &format!("{}{path}", s.url), Some(&forged), None).expect(401);
    // SW upper-cases the uid.
    let upper = toz::sdk::tsv1::sign(
        &path,
        "",
        "GET",
        &c.creds.signing_public().unwrap(),
        &c.creds.signing_secret().unwrap(),
        time_now(),
        &crypto::random_uuid_v4(),
        &c.id().to_uppercase(),
    );
    json_req("GET", &format!("{}{path}", s.url), Some(&upper), None).expect(200);
}

// §7.
fn client_info(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "info");
    let body = c
        .call(
            "GET",
            &format!("/v1/storage/clients/{}", c.id().to_uppercase()),
            None,
        )
        .expect(200)
        .clone();
    assert_eq!(body["client_id"], c.id());
    assert_eq!(
        body["public_key"]["curve25519"],
        c.creds.public_key.as_str()
    );
    assert_eq!(
        body["signing_key"]["ed25519"],
        c.creds.public_signing_key.as_str()
    );
    assert_eq!(body["validated"], true);
    c.call("GET", "/v1/storage/clients/doesnt%20exist", None)
        .expect(404);
    c.call(
        "GET",
        &format!("/v1/storage/clients/{}", crypto::random_uuid_v4()),
        None,
    )
    .expect(404);
    // The queen (backup) client is visible to every client: backups share to it.
    let q = c
        .call(
            "GET",
            &format!("/v1/storage/clients/{}", c.backup_client),
            None,
        )
        .expect(200)
        .clone();
    assert_eq!(
        q["public_key"]["curve25519"],
        acct.queen.public_key.as_str()
    );
}

// §4.1-4.2.
fn records_crud(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "records");
    let w1 = c.write("note", &[("a", "alpha"), ("b", "beta")], json!({"k": "v"}));
    let m = &w1["meta"];
    for k in ["record_id", "writer_id", "user_id", "type", "version"] {
        assert!(m[k].is_string(), "{k}");
    }
    assert_eq!(m["writer_id"], c.id());
    assert_eq!(m["plain"], json!({"k": "v"}));
    assert!(m.get("file_meta").is_none(), "file_meta must be omitted");
    assert!(is_micros_timestamp(&m["created"]) && is_micros_timestamp(&m["last_modified"]));
    // Strictly increasing timestamps across writes.
    let w2 = c.write("note", &[("a", "x")], Value::Null);
    assert_eq!(w2["meta"]["plain"], json!({}), "plain: null is {{}}");
    assert!(w2["meta"]["created"].as_str() > w1["meta"]["created"].as_str());
    let id = m["record_id"].as_str().unwrap();
    let read = c
        .call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(200)
        .clone();
    assert_eq!(read["meta"], w1["meta"], "read meta must equal write meta");
    assert_eq!(read["data"], w1["data"]);
    assert_eq!(c.read_decrypt(id)["b"], "beta");
    // Field projection: repeated and comma forms.
    let one = c
        .call("GET", &format!("/v1/storage/records/{id}?field=a"), None)
        .expect(200)
        .clone();
    assert_eq!(
        one["data"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["a"]
    );
    let both = c
        .call("GET", &format!("/v1/storage/records/{id}?field=a,b"), None)
        .expect(200)
        .clone();
    assert_eq!(both["data"].as_object().unwrap().len(), 2);
    // Update: new version, later last_modified, same created; stale → 409.
    let v1 = m["version"].as_str().unwrap();
    let mut upd = read.clone();
    upd["meta"]["plain"] = json!({"k": "v2"});
    upd["rec_sig"] = json!("sig-1");
    let u = c
        .call(
            "PUT",
            &format!("/v1/storage/records/safe/{id}/{v1}"),
            Some(&upd),
        )
        .expect(200)
        .clone();
    assert_ne!(u["meta"]["version"], m["version"]);
    assert_eq!(u["meta"]["created"], m["created"]);
    assert!(u["meta"]["last_modified"].as_str() > m["last_modified"].as_str());
    assert_eq!(u["meta"]["plain"]["k"], "v2");
    assert_eq!(u["rec_sig"], "sig-1");
    c.call(
        "PUT",
        &format!("/v1/storage/records/safe/{id}/{v1}"),
        Some(&upd),
    )
    .expect(409);
    c.call(
        "DELETE",
        &format!("/v1/storage/records/safe/{id}/{v1}"),
        None,
    )
    .expect(409);
    let v2 = u["meta"]["version"].as_str().unwrap();
    let del = c.call(
        "DELETE",
        &format!("/v1/storage/records/safe/{id}/{v2}"),
        None,
    );
    assert_eq!(del.status, 204);
    c.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(404);
    // Unsafe delete and unknown/malformed ids.
    let id2 = w2["meta"]["record_id"].as_str().unwrap();
    assert_eq!(
        c.call(
            "DELETE",
            &format!("/v1/storage/records/{}", id2.to_uppercase()),
            None
        )
        .status,
        204
    );
    c.call("DELETE", &format!("/v1/storage/records/{id2}"), None)
        .expect(404);
    c.call("GET", "/v1/storage/records/not-a-uuid", None)
        .expect(404);
    // writer_id must be the caller.
    let other = json!({"meta": {"writer_id": crypto::random_uuid_v4(), "user_id": c.id(), "type": "t", "plain": {}}, "data": {}});
    c.call("POST", "/v1/storage/records", Some(&other))
        .expect(403);
    c.call(
        "POST",
        "/v1/storage/records",
        Some(&json!({"meta": {"type": ""}, "data": {}})),
    )
    .expect(400);
    // Bulk delete reports unknown ids.
    let unknown = crypto::random_uuid_v4();
    let r = c
        .signed(
            "DELETE",
            "/v2/storage/records/bulk/delete",
            Some(&json!({"record_ids": [unknown]})),
        )
        .expect(200)
        .clone();
    assert_eq!(
        r,
        json!({"record_delete_error": {"N/A": [{"error": "Not Found", "record_id": unknown}]}})
    );
}

// §0 body sizes.
fn record_size_limits(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "big");
    let big = "x".repeat(3 * 1024 * 1024);
    let w = c.write("big", &[("blob", &big)], json!({}));
    let id = w["meta"]["record_id"].as_str().unwrap();
    assert_eq!(
        c.read_decrypt(id)["blob"].as_str().unwrap().len(),
        big.len()
    );
    // A 9 MiB body over a raw socket: the body is streamed from a thread that ignores write
    // errors, because the server may answer 413 and close before the client finishes sending.
    use std::io::{Read, Write};
    let addr = s.url.trim_start_matches("http://").to_string();
    let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut writer = tcp.try_clone().unwrap();
    let head = format!(
        "POST /v1/storage/records HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        c.auth(),
        9 * 1024 * 1024
    );
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        let chunk = vec![b'y'; 64 * 1024];
        for _ in 0..144 {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let mut buf = [0u8; 512];
    let n = tcp.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    drop(tcp);
    let _ = sender.join();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    c.call("GET", &format!("/v1/storage/clients/{}", c.id()), None)
        .expect(200);
}

// §4.4.
fn access_keys(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "eak");
    let me = c.id();
    let path = format!("/v1/storage/access_keys/{me}/{me}/{me}/eak-type");
    c.call("GET", &path, None).expect(404);
    c.call(
        "PUT",
        &path,
        Some(&json!({"eak": "SOMERANDOMNPOTENTIALLYNONVALIDKEY", "WriterID": me})),
    )
    .expect(201);
    c.call("PUT", &path, Some(&json!({"eak": "again"})))
        .expect(409);
    let info = c
        .call(
            "GET",
            &path
                .to_uppercase()
                .replace("/V1/STORAGE/ACCESS_KEYS", "/v1/storage/access_keys")
                .replace("EAK-TYPE", "eak-type"),
            None,
        )
        .expect(200)
        .clone();
    assert_eq!(info["eak"], "SOMERANDOMNPOTENTIALLYNONVALIDKEY");
    assert_eq!(info["authorizer_id"], me);
    assert_eq!(info["signer_id"], me);
    assert_eq!(
        info["authorizer_public_key"]["curve25519"],
        c.creds.public_key.as_str()
    );
    assert_eq!(
        info["signer_signing_key"]["ed25519"],
        c.creds.public_signing_key.as_str()
    );
    assert_eq!(c.call("DELETE", &path, None).status, 204);
    c.call("GET", &path, None).expect(404);
    c.call("DELETE", &path, None).expect(404);
    c.call("PUT", &path, Some(&json!({"eak": 5}))).expect(400);
    c.call("PUT", &path, Some(&json!({}))).expect(400);
    // A reader that does not exist.
    let nobody = crypto::random_uuid_v4();
    c.eak("PUT", me, &nobody, "t", Some(json!({"eak": "x"})))
        .expect(404);
    // Real key round trip.
    let ak = c.own_key("real");
    let again = c.own_key("real");
    assert_eq!(ak.bytes(), again.bytes());
}

// §5.1-5.2, §5.4.
fn sharing_and_revoke(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let w = Client::register(&s, &acct.token, "writer");
    let r = Client::register(&s, &acct.token, "reader");
    let rec = w.write("shared", &[("secret", "s3cret")], json!({"p": "1"}));
    let id = rec["meta"]["record_id"].as_str().unwrap().to_string();
    r.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    w.share("shared", &r);
    assert_eq!(r.read_decrypt(&id)["secret"], "s3cret");
    let read = r
        .call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(200)
        .clone();
    assert_eq!(read["meta"], rec["meta"]);
    assert_eq!(
        w.call("GET", "/v1/storage/policy/outgoing", None)
            .expect(200)
            .clone(),
        json!([{"reader_id": r.id(), "reader_name": "reader", "record_type": "shared"}])
    );
    assert_eq!(
        r.call("GET", "/v1/storage/policy/incoming", None)
            .expect(200)
            .clone(),
        json!([{"writer_id": w.id(), "writer_name": "writer", "record_type": "shared"}])
    );
    assert_eq!(
        r.call("GET", "/v1/storage/policy/outgoing", None)
            .expect(200)
            .clone(),
        json!([])
    );
    let v2 = r
        .signed("POST", "/v2/storage/share/outgoing", Some(&json!({})))
        .expect(200)
        .clone();
    assert_eq!(v2["shares"], json!([]));
    let v2 = w
        .signed(
            "POST",
            "/v2/storage/share/outgoing",
            Some(&json!({"record_type": "shared"})),
        )
        .expect(200)
        .clone();
    assert_eq!(v2["shares"][0]["reader_id"], r.id());
    // JS sends <writer>/<user>; same ids here. Mismatched ids are refused.
    let (wi, ri) = (w.id(), r.id());
    w.call(
        "PUT",
        &format!("/v1/storage/policy/{wi}/{ri}/{ri}/shared"),
        Some(&json!({"allow": [{"read": {}}]})),
    )
    .expect(400);
    w.policy(wi, ri, "shared", json!({"allow": [{"fly": {}}]}))
        .expect(400);
    // Revoke: policy then key (PY order).
    w.revoke("shared", r.id());
    r.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    r.eak("GET", wi, ri, "shared", None).expect(404);
    assert_eq!(
        r.call("GET", "/v1/storage/policy/incoming", None)
            .expect(200)
            .clone(),
        json!([])
    );
    let q = r
        .call(
            "POST",
            "/v1/storage/search",
            Some(&json!({"include_all_writers": true, "include_data": true})),
        )
        .expect(200)
        .clone();
    assert!(
        q["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["meta"]["writer_id"] != wi)
    );
    // Share again after a revoke re-enables (PY test_share_twice); policy before any record works.
    w.share("shared", &r);
    assert_eq!(r.read_decrypt(&id)["secret"], "s3cret");
    // Revoking the policy alone hides the key even if the client forgets to delete it.
    w.policy(wi, ri, "shared", json!({"deny": [{"read": {}}]}))
        .expect(201);
    r.eak("GET", wi, ri, "shared", None).expect(404);
    w.policy(wi, ri, "nothing-yet", json!({"allow": [{"read": {}}]}))
        .expect(201);
}

// §5.3.
fn authorizers(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let w = Client::register(&s, &acct.token, "w");
    let a = Client::register(&s, &acct.token, "a");
    let r = Client::register(&s, &acct.token, "r");
    let (wi, ai, ri) = (w.id().to_string(), a.id().to_string(), r.id().to_string());
    let rec = w.write("delegated", &[("f", "value")], json!({}));
    let id = rec["meta"]["record_id"].as_str().unwrap();
    // A may not share before being appointed.
    a.policy(&wi, &ri, "delegated", json!({"allow": [{"read": {}}]}))
        .expect(403);
    a.eak("PUT", &wi, &ri, "delegated", Some(json!({"eak": "x"})))
        .expect(403);
    // W appoints A: EAK for A + authorizer policy.
    let ak = w.own_key("delegated");
    let a_pk = a.creds.box_public().unwrap();
    let eak = ak.encrypt_for(&a_pk, &w.creds.box_secret().unwrap());
    w.eak("PUT", &wi, &ai, "delegated", Some(json!({"eak": eak})))
        .expect(201);
    w.policy(
        &wi,
        &ai,
        "delegated",
        json!({"allow": [{"authorizer": {}}]}),
    )
    .expect(201);
    let proxies = w
        .call("GET", "/v1/storage/policy/proxies", None)
        .expect(200)
        .clone();
    assert_eq!(
        proxies,
        json!([{"authorizer_id": ai, "writer_id": wi, "user_id": wi, "record_type": "delegated", "authorized_by": wi}])
    );
    let granted = a
        .call("GET", "/v1/storage/policy/granted", None)
        .expect(200)
        .clone();
    assert_eq!(granted, proxies);
    // A reads its copy, re-boxes for R with its own key, and grants read on W's behalf.
    let a_info = a
        .call(
            "GET",
            &format!("/v1/storage/access_keys/{wi}/{wi}/{ai}/delegated"),
            None,
        )
        .expect(200)
        .clone();
    assert_eq!(a_info["authorizer_id"], wi.as_str());
    let a_ak = a.open_eak(&a_info);
    a.share_key_on_behalf(&wi, "delegated", &r, &a_ak);
    let r_info = r
        .call(
            "GET",
            &format!("/v1/storage/access_keys/{wi}/{wi}/{ri}/delegated"),
            None,
        )
        .expect(200)
        .clone();
    assert_eq!(
        r_info["authorizer_id"],
        ai.as_str(),
        "the putter is the authorizer"
    );
    assert_eq!(
        r_info["authorizer_public_key"]["curve25519"],
        a.creds.public_key.as_str()
    );
    assert_eq!(r.read_decrypt(id)["f"], "value");
    // A may not appoint itself further or touch other types.
    a.policy(&wi, &ri, "other-type", json!({"allow": [{"read": {}}]}))
        .expect(403);
    // A revokes on W's behalf.
    a.policy(&wi, &ri, "delegated", json!({"deny": [{"read": {}}]}))
        .expect(201);
    assert_eq!(
        a.call(
            "DELETE",
            &format!("/v1/storage/access_keys/{wi}/{wi}/{ri}/delegated"),
            None
        )
        .status,
        204
    );
    r.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    // W removes A: afterwards A's key is gone and A can no longer share.
    w.policy(&wi, &ai, "delegated", json!({"deny": [{"authorizer": {}}]}))
        .expect(201);
    w.eak("DELETE", &wi, &ai, "delegated", None).expect(204);
    a.eak("GET", &wi, &ai, "delegated", None).expect(404);
    a.policy(&wi, &ri, "delegated", json!({"allow": [{"read": {}}]}))
        .expect(403);
    assert_eq!(
        w.call("GET", "/v1/storage/policy/proxies", None)
            .expect(200)
            .clone(),
        json!([])
    );
}

// §6.1.
fn query_v1(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "query");
    let other = Client::register(&s, &acct.token, "query-other");
    let mut ids = Vec::new();
    for i in 0..6 {
        let w = c.write(
            "q-type",
            &[("n", &i.to_string())],
            json!({"name": format!("n{i}"), "parity": if i % 2 == 0 {"even"} else {"odd"}}),
        );
        ids.push(w["meta"]["record_id"].as_str().unwrap().to_string());
    }
    c.write("q-other-type", &[("n", "x")], json!({"name": "n0"}));
    other.write("q-type", &[("n", "o")], json!({"name": "n0"}));
    let q = |body: Value| {
        c.call("POST", "/v1/storage/search", Some(&body))
            .expect(200)
            .clone()
    };
    // Pagination (PY test_pagination).
    let p1 = q(json!({"count": 5, "content_types": ["q-type"], "include_data": false}));
    assert_eq!(p1["results"].as_array().unwrap().len(), 5);
    let li = p1["last_index"].as_i64().unwrap();
    assert_ne!(li, 0);
    let p2 = q(json!({"count": 5, "content_types": ["q-type"], "after_index": li}));
    assert_eq!(p2["results"].as_array().unwrap().len(), 1);
    assert_ne!(p2["last_index"].as_i64().unwrap(), li);
    let p3 = q(json!({"count": 5, "content_types": ["q-type"], "after_index": p2["last_index"]}));
    assert_eq!(p3["results"], json!([]));
    // Results: meta as written, access_key key always present.
    for r in p1["results"].as_array().unwrap() {
        assert!(r.as_object().unwrap().contains_key("access_key"));
        assert_eq!(r["meta"]["writer_id"], c.id());
    }
    // Plain filters: eq, and, or, not, flat map.
    let eq = q(json!({"plain": {"eq": {"name": "name", "value": "n3"}}}));
    assert_eq!(eq["results"].as_array().unwrap().len(), 1);
    assert_eq!(eq["results"][0]["meta"]["record_id"], ids[3].as_str());
    let and = q(
        json!({"plain": {"and": [{"eq": {"name": "parity", "value": "even"}}, {"eq": {"name": "name", "value": "n2"}}]}}),
    );
    assert_eq!(and["results"].as_array().unwrap().len(), 1);
    let or = q(
        json!({"plain": {"or": [{"eq": {"name": "name", "value": "n1"}}, {"eq": {"name": "name", "value": "n2"}}]}}),
    );
    assert_eq!(or["results"].as_array().unwrap().len(), 2);
    let not = q(
        json!({"content_types": ["q-type"], "plain": {"not": {"eq": {"name": "parity", "value": "even"}}}}),
    );
    assert_eq!(not["results"].as_array().unwrap().len(), 3);
    let flat = q(json!({"plain": {"parity": "odd", "name": "n5"}}));
    assert_eq!(flat["results"].as_array().unwrap().len(), 1);
    let paged = q(json!({"count": 2, "plain": {"eq": {"name": "parity", "value": "odd"}}}));
    assert_eq!(paged["results"].as_array().unwrap().len(), 2);
    // include_data: data and the caller's own EAK.
    let d = q(json!({"record_ids": [ids[0].to_uppercase()], "include_data": true}));
    let r0 = &d["results"][0];
    assert!(r0["record_data"]["n"].is_string());
    assert_eq!(r0["access_key"]["authorizer_id"], c.id());
    // writer filter and include_all_writers: the other client's records stay invisible unshared.
    let all = q(json!({"include_all_writers": true, "content_types": ["q-type"], "count": 100}));
    assert_eq!(all["results"].as_array().unwrap().len(), 6);
    other.share("q-type", &c);
    let all =
        q(json!({"include_all_writers": true, "content_types": ["q-type"], "include_data": true}));
    assert_eq!(all["results"].as_array().unwrap().len(), 7);
    let theirs: Vec<&Value> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["meta"]["writer_id"] == other.id())
        .collect();
    assert_eq!(theirs[0]["access_key"]["authorizer_id"], other.id());
    let only = q(json!({"include_all_writers": true, "writer_ids": [other.id()]}));
    assert_eq!(only["results"].as_array().unwrap().len(), 1);
    // Deleted records vanish; errors carry an `error` key.
    assert_eq!(
        c.call("DELETE", &format!("/v1/storage/records/{}", ids[0]), None)
            .status,
        204
    );
    let after = q(json!({"content_types": ["q-type"]}));
    assert_eq!(after["results"].as_array().unwrap().len(), 5);
    c.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"after_index": -99})),
    )
    .expect(400);
    c.call("POST", "/v1/storage/search", Some(&json!({"count": -1})))
        .expect(400);
    c.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"plain": {"eq": 3}})),
    )
    .expect(400);
    c.call(
        "POST",
        "/v1/storage/search",
        Some(&json!({"writer_ids": "nope"})),
    )
    .expect(400);
}

// §6.2.
fn search_v2(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "search");
    let other = Client::register(&s, &acct.token, "search-other");
    let r1 = c.write(
        "s-type",
        &[("f", "1")],
        json!({"site": "toznywebsite", "mood": "veryveryfuzzy"}),
    );
    let r2 = c.write(
        "s-type",
        &[("f", "2")],
        json!({"site": "toznians", "mood": "calm"}),
    );
    let r3 = c.write("s-other", &[("f", "3")], json!({"my_server_1_x": "up"}));
    let (i1, i2, i3) = (
        r1["meta"]["record_id"].clone(),
        r2["meta"]["record_id"].clone(),
        r3["meta"]["record_id"].clone(),
    );
    let search = |body: Value| {
        c.call("POST", "/v2/search", Some(&body))
            .expect(200)
            .clone()
    };
    let ids = |v: &Value| -> Vec<Value> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["meta"]["record_id"].clone())
            .collect()
    };
    let all = search(json!({}));
    for k in ["results", "last_index", "total_results", "search_id"] {
        assert!(all.get(k).is_some(), "{k}");
    }
    assert_eq!(all["total_results"], 3);
    assert_eq!(
        all["results"][0]["record_data"],
        Value::Null,
        "no data without include_data"
    );
    let m = |strategy: &str, terms: Value| {
        search(json!({"match": [{"strategy": strategy, "terms": terms}]}))
    };
    assert_eq!(
        ids(&m("EXACT", json!({"values": ["toznians"]}))),
        vec![i2.clone()]
    );
    assert_eq!(
        ids(&m("FUZZY", json!({"values": ["veryveryfunny"]}))),
        vec![i1.clone()]
    );
    assert_eq!(
        ids(&m("REGEXP", json!({"values": ["tozny.*"]}))),
        vec![i1.clone()]
    );
    assert_eq!(
        ids(&m("WILDCARD", json!({"keys": ["*server_1*"]}))),
        vec![i3.clone()]
    );
    assert_eq!(
        ids(&m("EXACT", json!({"tags": {"site": "toznians"}}))),
        vec![i2.clone()]
    );
    assert_eq!(
        ids(&m("EXACT", json!({"content_types": ["s-other"]}))),
        vec![i3.clone()]
    );
    assert_eq!(
        m(
            "EXACT",
            json!({"record_ids": [i1.as_str().unwrap().to_uppercase()]})
        )["total_results"],
        1
    );
    // AND across two records → nothing; two match blocks → union; exclude wins.
    let and = search(json!({"match": [{"condition": "AND", "terms": {"record_ids": [i1, i2]}}]}));
    assert_eq!(and["total_results"], 0);
    let union = search(
        json!({"match": [{"terms": {"record_ids": [i1]}}, {"terms": {"record_ids": [i2]}}]}),
    );
    assert_eq!(union["total_results"], 2);
    let excl = search(
        json!({"match": [{"terms": {"content_types": ["s-type"]}}], "exclude": [{"terms": {"values": ["calm"]}}]}),
    );
    assert_eq!(ids(&excl), vec![i1.clone()]);
    c.call(
        "POST",
        "/v2/search",
        Some(&json!({"match": [{"strategy": "REGEXP", "terms": {"values": ["("]}}]})),
    )
    .expect(400);
    c.call(
        "POST",
        "/v2/search",
        Some(&json!({"match": [{"strategy": "SOUNDEX", "terms": {}}]})),
    )
    .expect(400);
    // Ranges on CREATED with offsets.
    let created = r2["meta"]["created"].as_str().unwrap();
    let after_r1 =
        search(json!({"range": {"range_key": "CREATED", "after": r1["meta"]["created"]}}));
    assert_eq!(after_r1["total_results"], 2);
    let before = search(json!({"range": {"before": created}}));
    assert_eq!(ids(&before), vec![i1.clone()]);
    let far = search(
        json!({"range": {"after": "2000-01-01T00:00:00-07:00", "before": "2999-01-01T00:00:00+01:00"}}),
    );
    assert_eq!(far["total_results"], 3);
    c.call(
        "POST",
        "/v2/search",
        Some(&json!({"range": {"after": "yesterday"}})),
    )
    .expect(400);
    // Paging (PY test_v2_pagination shape).
    let p1 = search(json!({"limit": 2}));
    assert_eq!(
        (
            p1["results"].as_array().unwrap().len(),
            p1["last_index"].as_i64(),
            p1["total_results"].as_i64()
        ),
        (2, Some(2), Some(3))
    );
    let p2 = search(json!({"limit": 10, "next_token": 2}));
    assert_eq!(
        (
            p2["results"].as_array().unwrap().len(),
            p2["last_index"].as_i64()
        ),
        (1, Some(0))
    );
    // include_data returns data and access keys; other clients see nothing until shared.
    let d = search(json!({"include_data": true, "match": [{"terms": {"record_ids": [i1]}}]}));
    assert!(d["results"][0]["record_data"]["f"].is_string());
    assert_eq!(d["results"][0]["access_key"]["authorizer_id"], c.id());
    let theirs = other
        .call(
            "POST",
            "/v2/search",
            Some(&json!({"include_all_writers": true})),
        )
        .expect(200)
        .clone();
    assert_eq!(theirs["total_results"], 0);
    c.share("s-type", &other);
    let theirs = other
        .call(
            "POST",
            "/v2/search",
            Some(&json!({"include_all_writers": true, "include_data": true})),
        )
        .expect(200)
        .clone();
    assert_eq!(theirs["total_results"], 2);
    assert_eq!(theirs["results"][0]["access_key"]["authorizer_id"], c.id());
    let shared = search(json!({"match": [{"terms": {"shared_with": [other.id()]}}]}));
    assert_eq!(shared["total_results"], 2);
}

// §2.3.
fn account_api(b: Backend) {
    let Some(db) = Db::new(b) else { return };
    let s = Server::start(&db);
    let email = format!("{}@Example.com", unique("signup"));
    let queen = Credentials::generate(&s.url).unwrap();
    let (pw_pub, pw_sec) = crypto::sign_keypair();
    let (paper_pub, paper_sec) = crypto::sign_keypair();
    let signup = json!({
        "profile": {"name": "Ops", "email": email, "auth_salt": "c2FsdA", "enc_salt": "ZW5j",
                    "signing_key": {"ed25519": crypto::b64url_encode(&pw_pub)},
                    "paper_auth_salt": "cGFw", "paper_enc_salt": "cGU", "paper_signing_key": {"ed25519": crypto::b64url_encode(&paper_pub)}},
        "account": {"company": "ACME", "plan": "free0", "public_key": {"curve25519": queen.public_key},
                    "signing_key": {"ed25519": queen.public_signing_key}}});
    let url = |p: &str| format!("{}{p}", s.url);
    let r = json_req("POST", &url("/v1/account/profile"), None, Some(&signup));
    let body = r.expect(201).clone();
    let session = format!("Bearer {}", body["token"].as_str().unwrap());
    assert_eq!(body["profile"]["email"], email.to_lowercase());
    assert_eq!(
        body["account"]["client"]["public_key"]["curve25519"],
        queen.public_key.as_str()
    );
    assert!(body["account"]["client"]["api_secret"].is_string());
    json_req("POST", &url("/v1/account/profile"), None, Some(&signup)).expect(409);
    // Challenge / response with the password key, then with the paper key; bad signature → 401.
    let login = |sec: &[u8; 64], keyid: &str| {
        let ch = json_req(
            "POST",
            &url("/v1/account/challenge"),
            None,
            Some(&json!({"email": email})),
        )
        .expect(200)
        .clone();
        assert_eq!(ch["auth_salt"], "c2FsdA");
        let raw = crypto::b64url_decode(ch["challenge"].as_str().unwrap()).unwrap();
        let sig = crypto::b64url_encode(&crypto::sign_detached(&raw, sec));
        let req =
            json!({"email": email, "challenge": ch["challenge"], "response": sig, "keyid": keyid});
        let first = json_req("POST", &url("/v1/account/auth"), None, Some(&req));
        let replay = json_req("POST", &url("/v1/account/auth"), None, Some(&req));
        (first, replay)
    };
    let (ok, replay) = login(&pw_sec, "password");
    assert!(ok.expect(200)["token"].is_string());
    assert!(ok.body["account"]["client"].get("api_secret").is_none());
    replay.expect(401);
    login(&paper_sec, "paper").0.expect(200);
    login(&paper_sec, "password").0.expect(401);
    json_req(
        "POST",
        &url("/v1/account/challenge"),
        None,
        Some(&json!({"email": "nobody@example.com"})),
    )
    .expect(404);
    // Profile meta.
    assert_eq!(
        json_req(
            "GET",
            &url("/v1/account/profile/meta"),
            Some(&session),
            None
        )
        .expect(200)
        .clone(),
        json!({})
    );
    let meta = json!({"backupEnabled": "enabled", "backupClient": "enc"});
    json_req(
        "PUT",
        &url("/v1/account/profile/meta"),
        Some(&session),
        Some(&meta),
    )
    .expect(200);
    assert_eq!(
        json_req(
            "GET",
            &url("/v1/account/profile/meta"),
            Some(&session),
            None
        )
        .expect(200)
        .clone(),
        meta
    );
    json_req(
        "GET",
        &url("/v1/account/profile/meta"),
        Some("Bearer nope"),
        None,
    )
    .expect(401);
    // Tokens CRUD: raw token once; listing shows ids; delete by id or raw token.
    let mk = |body: Value| {
        json_req(
            "POST",
            &url("/v1/account/tokens"),
            Some(&session),
            Some(&body),
        )
        .expect(201)
        .clone()
    };
    let t1 = mk(
        json!({"name": "one", "permissions": {"enabled": true, "one_time": true, "allowed_types": ["general"]}}),
    );
    let t2 =
        mk(json!({"name": "many", "total_uses_allowed": 0, "expires_at": "2999-01-01T00:00:00Z"}));
    assert_eq!(t1["total_uses_allowed"], 1);
    assert_eq!(t1["permissions"]["one_time"], true);
    let raw1 = t1["token"].as_str().unwrap();
    assert_eq!(raw1.len(), 64);
    let list = json_req("GET", &url("/v1/account/tokens"), Some(&session), None)
        .expect(200)
        .clone();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|t| t["token"] != raw1 && t["token"] == t["id"])
    );
    assert!(!serde_json::to_string(list).unwrap().contains(raw1));
    let c = Client::register(&s, raw1, "via-one-time");
    assert_eq!(
        c.backup_client,
        body["account"]["client"]["client_id"].as_str().unwrap()
    );
    let list = json_req("GET", &url("/v1/account/tokens"), Some(&session), None)
        .expect(200)
        .clone();
    assert_eq!(list[0]["uses"], 1);
    let del = json_req(
        "DELETE",
        &url(&format!("/v1/account/tokens/{raw1}")),
        Some(&session),
        None,
    );
    assert_eq!(del.status, 204);
    let id2 = t2["id"].as_str().unwrap();
    assert_eq!(
        json_req(
            "DELETE",
            &url(&format!("/v1/account/tokens/{id2}")),
            Some(&session),
            None
        )
        .status,
        204
    );
    json_req(
        "DELETE",
        &url(&format!("/v1/account/tokens/{id2}")),
        Some(&session),
        None,
    )
    .expect(404);
    let creds = Credentials::generate(&s.url).unwrap();
    let reg = json_req(
        "POST",
        &url("/v1/account/e3db/clients/register"),
        None,
        Some(&register_body(
            t2["token"].as_str().unwrap(),
            "x",
            &creds,
            true,
        )),
    );
    reg.expect(403);
    // Another account's session cannot see these tokens; a non-queen client is refused.
    c.call("GET", "/v1/account/tokens", None).expect(403);
}

// §2.2.
fn credential_backup(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "backed-up");
    let rec = c.write(
        "tozny.key_backup",
        &[("client_id", &format!("\"{}\"", c.id()))],
        json!({"client": c.id()}),
    );
    let queen = Client::login(&s.url, acct.queen.clone(), String::new());
    c.share("tozny.key_backup", &queen);
    let path = format!("{}/v1/account/backup/{}/{}", s.url, acct.token, c.id());
    // JS sends it without Authorization; PY with Bearer.
    send("POST", &path, None, None, None).expect(200);
    send("POST", &path, Some(&c.auth()), None, None).expect(200);
    let admin = queen
        .call("GET", &format!("/v1/client/admin/{}", c.id()), None)
        .expect(200)
        .clone();
    assert_eq!(admin["has_backup"], true);
    assert_eq!(
        queen.read_decrypt(rec["meta"]["record_id"].as_str().unwrap())["client_id"],
        format!("\"{}\"", c.id())
    );
    // A token of another account, or an unknown token, cannot flag this client.
    let other = Account::create(&s);
    send(
        "POST",
        &format!("{}/v1/account/backup/{}/{}", s.url, other.token, c.id()),
        None,
        None,
        None,
    )
    .expect(403);
    send(
        "POST",
        &format!("{}/v1/account/backup/{}/{}", s.url, "f".repeat(64), c.id()),
        None,
        None,
        None,
    )
    .expect(403);
    send(
        "POST",
        &format!("{}/v1/account/backup/{}/not-a-client", s.url, acct.token),
        None,
        None,
        None,
    )
    .expect(404);
}

// §2.3 client admin with the queen client's credentials.
fn client_admin(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let queen = Client::login(&s.url, acct.queen.clone(), String::new());
    let c1 = Client::register(&s, &acct.token, "c1");
    let _c2 = Client::register(&s, &acct.token, "c2");
    let list = queen
        .call("GET", "/v1/client/admin?limit=2", None)
        .expect(200)
        .clone();
    assert_eq!(list["clients"].as_array().unwrap().len(), 2);
    assert_eq!(list["next_token"], 2);
    assert!(list["clients"][0].get("api_secret").is_none());
    let rest = queen
        .call("GET", "/v1/client/admin?next=2&limit=2", None)
        .expect(200)
        .clone();
    assert_eq!(rest["clients"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_token"], 0);
    // Disable: existing tokens and new logins stop working; enable restores.
    let path = format!("/v1/client/admin/{}/enable", c1.id());
    assert_eq!(
        queen
            .call("PATCH", &path, Some(&json!({"enabled": false})))
            .expect(200)["enabled"],
        false
    );
    c1.call("GET", &format!("/v1/storage/clients/{}", c1.id()), None)
        .expect(401);
    c1.signed("GET", &format!("/v1/storage/clients/{}", c1.id()), None)
        .expect(401);
    oauth_token(&s.url, &c1.creds.api_key_id, &c1.creds.api_secret).expect(401);
    queen
        .call("PATCH", &path, Some(&json!({"enabled": true})))
        .expect(200);
    oauth_token(&s.url, &c1.creds.api_key_id, &c1.creds.api_secret).expect(200);
    // Only the queen may administer; other accounts' clients are not found.
    c1.call("GET", "/v1/client/admin", None).expect(403);
    let other = Account::create(&s);
    let other_queen = Client::login(&s.url, other.queen.clone(), String::new());
    other_queen
        .call("GET", &format!("/v1/client/admin/{}", c1.id()), None)
        .expect(404);
    other_queen
        .call("PATCH", &path, Some(&json!({"enabled": false})))
        .expect(404);
    queen
        .call("PATCH", &path, Some(&json!({"enabled": "no"})))
        .expect(400);
}

// A client never reads, updates, deletes, shares or lists another client's records, keys or
// policies without a grant.
fn authorisation_matrix(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let w = Client::register(&s, &acct.token, "owner");
    let x = Client::register(&s, &acct.token, "intruder");
    let rec = w.write("private", &[("f", "secret")], json!({"k": "v"}));
    let id = rec["meta"]["record_id"].as_str().unwrap();
    let ver = rec["meta"]["version"].as_str().unwrap();
    let (wi, xi) = (w.id(), x.id());
    let upd = json!({"meta": {"writer_id": xi, "user_id": xi, "type": "private", "plain": {}}, "data": {}});
    for (m, p, body, want) in [
        ("GET", format!("/v1/storage/records/{id}"), None, 403),
        (
            "PUT",
            format!("/v1/storage/records/safe/{id}/{ver}"),
            Some(upd.clone()),
            403,
        ),
        (
            "PUT",
            format!("/v1/storage/records/{id}"),
            Some(upd.clone()),
            403,
        ),
        (
            "PUT",
            format!("/v1/storage/records/safe/edit/{id}/{ver}"),
            Some(upd.clone()),
            403,
        ),
        (
            "DELETE",
            format!("/v1/storage/records/safe/{id}/{ver}"),
            None,
            403,
        ),
        ("DELETE", format!("/v1/storage/records/{id}"), None, 403),
        (
            "GET",
            format!("/v1/storage/access_keys/{wi}/{wi}/{wi}/private"),
            None,
            404,
        ),
        (
            "PUT",
            format!("/v1/storage/access_keys/{wi}/{wi}/{xi}/private"),
            Some(json!({"eak": "x"})),
            403,
        ),
        (
            "DELETE",
            format!("/v1/storage/access_keys/{wi}/{wi}/{wi}/private"),
            None,
            403,
        ),
        (
            "PUT",
            format!("/v1/storage/policy/{wi}/{wi}/{xi}/private"),
            Some(json!({"allow": [{"read": {}}]})),
            403,
        ),
        (
            "PUT",
            format!("/v1/storage/policy/{wi}/{wi}/{xi}/private"),
            Some(json!({"allow": [{"authorizer": {}}]})),
            403,
        ),
        (
            "DELETE",
            format!("/v1/storage/policy/{wi}/{wi}/{xi}"),
            None,
            403,
        ),
    ] {
        let r = x.call(m, &p, body.as_ref());
        assert_eq!(r.status, want, "{m} {p}: {}", r.text);
        assert!(r.body["error"].is_string());
    }
    let bulk = x
        .signed(
            "DELETE",
            "/v2/storage/records/bulk/delete",
            Some(&json!({"record_ids": [id]})),
        )
        .expect(200)
        .clone();
    assert_eq!(bulk["record_delete_error"][wi][0]["error"], "Forbidden");
    // Nothing leaks through listings, queries or searches.
    for p in [
        "/v1/storage/policy/outgoing",
        "/v1/storage/policy/incoming",
        "/v1/storage/policy/proxies",
        "/v1/storage/policy/granted",
    ] {
        assert_eq!(x.call("GET", p, None).expect(200).clone(), json!([]), "{p}");
    }
    let q = x
        .call(
            "POST",
            "/v1/storage/search",
            Some(&json!({"include_all_writers": true, "writer_ids": [wi], "include_data": true})),
        )
        .expect(200)
        .clone();
    assert_eq!(q["results"], json!([]));
    let q = x
        .call(
            "POST",
            "/v2/search",
            Some(&json!({"include_all_writers": true, "include_data": true})),
        )
        .expect(200)
        .clone();
    assert_eq!(q["total_results"], 0);
    // The record is intact for its owner.
    assert_eq!(w.read_decrypt(id)["f"], "secret");
    // An allow-read grant gives read access but not update/delete; revoke takes it away.
    w.share("private", &x);
    x.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(200);
    x.call(
        "PUT",
        &format!("/v1/storage/records/safe/{id}/{ver}"),
        Some(&upd),
    )
    .expect(403);
    x.call("DELETE", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    x.policy(wi, xi, "private", json!({"allow": [{"authorizer": {}}]}))
        .expect(403);
    w.revoke("private", xi);
    x.call("GET", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
    x.eak("GET", wi, xi, "private", None).expect(404);
    // An edit grant allows the JS edit route only.
    w.policy(
        wi,
        xi,
        "private",
        json!({"allow": [{"read": {}}, {"edit": {}}]}),
    )
    .expect(201);
    let edited = x
        .call(
            "PUT",
            &format!("/v1/storage/records/safe/edit/{id}/{ver}"),
            Some(&upd),
        )
        .expect(200)
        .clone();
    assert_eq!(edited["meta"]["writer_id"], wi, "an edit keeps the writer");
    x.call("DELETE", &format!("/v1/storage/records/{id}"), None)
        .expect(403);
}

// Bad input: 4xx with a JSON error, no crash.
fn bad_input(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let c = Client::register(&s, &acct.token, "bad");
    let post = |path: &str, body: &str| {
        send(
            "POST",
            &format!("{}{path}", s.url),
            Some(&c.auth()),
            Some("application/json"),
            Some(body.as_bytes().to_vec()),
        )
    };
    for (path, body) in [
        ("/v1/storage/records", "{not json"),
        ("/v1/storage/records", "[]"),
        (
            "/v1/storage/records",
            r#"{"meta": {"type": 5}, "data": {}}"#,
        ),
        (
            "/v1/storage/records",
            r#"{"meta": {"type": "t"}, "data": {"f": 1}}"#,
        ),
        ("/v1/storage/search", r#"{"count": "many"}"#),
        ("/v2/search", r#"{"limit": -5}"#),
        ("/v1/account/e3db/clients/register", "null"),
    ] {
        let r = post(path, body);
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text);
        assert!(r.body["error"].is_string());
        assert!(!r.text.contains("many"), "errors must not echo input");
    }
    json_req("GET", &format!("{}/v1/nope", s.url), None, None).expect(404);
    json_req(
        "PATCH",
        &format!("{}/v1/storage/records", s.url),
        Some(&c.auth()),
        None,
    )
    .expect(405);
    // Still alive and consistent.
    c.call("GET", &format!("/v1/storage/clients/{}", c.id()), None)
        .expect(200);
}

// CORS (§0) and `//v1/...` paths.
fn cors_and_paths(b: Backend) {
    let Some((_db, s, acct)) = setup(b) else {
        return;
    };
    let r = send(
        "OPTIONS",
        &format!("{}/v1/storage/records", s.url),
        None,
        None,
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, *")
    );
    assert!(
        r.header("access-control-expose-headers")
            .unwrap()
            .contains("X-Backup-Client")
    );
    let c = Client::register(&s, &acct.token, "paths");
    let r = json_req(
        "GET",
        &format!("{}//v1/storage/clients/{}", s.url, c.id()),
        Some(&c.auth()),
        None,
    );
    r.expect(200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let err = json_req(
        "GET",
        &format!("{}/v1/storage/clients/x", s.url),
        None,
        None,
    );
    assert_eq!(err.header("access-control-allow-origin"), Some("*"));
    // TSV1 over a `//` path signs the path as sent.
    let path = format!("//v1/storage/clients/{}", c.id());
    let h = c.tsv1_header("GET", &path, "", time_now(), &crypto::random_uuid_v4());
    json_req("GET", &format!("{}{path}", s.url), Some(&h), None).expect(200);
    let reg = Client::register_at(&format!("{}/", s.url), &acct.token, "slash");
    assert!(!reg.id().is_empty());
}
