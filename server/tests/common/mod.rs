//! Test harness: starts the real `toz-server` binary on loopback and talks HTTP to it.
#![allow(dead_code)]

#[path = "../../../tests/common/serve.rs"]
mod serve;

use std::process::{Child, Command};

pub use serve::spawn_serve;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use toz::sdk::{AccessKey, Credentials, crypto, fields, tsv1};

pub const BIN: &str = env!("CARGO_BIN_EXE_toz-server");

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test: a fresh SQLite file, or the shared PostgreSQL database named by
/// TOZ_TEST_DATABASE_URL (tests isolate themselves with fresh accounts and clients).
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    /// The default blob directory of a SQLite database (None on PostgreSQL, whose default is
    /// large objects).
    pub fn sqlite_blob_dir(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("blobs"))
    }

    /// None (after a loud message) when the PostgreSQL leg is not configured.
    pub fn new(backend: Backend) -> Option<Db> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/toz.db", dir.path().display());
                Some(Db {
                    url,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => match std::env::var("TOZ_TEST_DATABASE_URL") {
                Ok(url) if !url.is_empty() => Some(Db { url, _dir: None }),
                _ => {
                    // Written to the real stderr, past libtest's capture, so a skip is never silent.
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "\n*** SKIPPED: PostgreSQL test (TOZ_TEST_DATABASE_URL is not set; \
                         scripts/test-server.sh sets it) ***"
                    );
                    None
                }
            },
        }
    }
}

/// A fresh database, a server on it and an account: what most tests start from.
pub fn setup(b: Backend) -> Option<(Db, Server, Account)> {
    let db = Db::new(b)?;
    let server = Server::start(&db);
    let account = Account::create(&server);
    Some((db, server, account))
}

/// A running server; killed on drop.
pub struct Server {
    pub url: String,
    pub db_url: String,
    pub child: Child,
}

impl Server {
    pub fn start(db: &Db) -> Server {
        Self::start_url(&db.url)
    }

    pub fn start_url(db_url: &str) -> Server {
        Self::start_with(db_url, &[])
    }

    /// Starts `serve` with extra flags.
    pub fn start_with(db_url: &str, extra: &[&str]) -> Server {
        let (child, url) = spawn_serve(std::path::Path::new(BIN), db_url, extra);
        Server {
            url,
            db_url: db_url.to_string(),
            child,
        }
    }

    /// Peak resident set size of the server process so far, in bytes (Linux VmHWM).
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb * 1024
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ) + &crypto::random_uuid_v4()[..8]
}

/// Runs the CLI; returns stdout.
pub fn cli(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("run toz-server");
    assert!(
        out.status.success(),
        "toz-server {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Asserts the status and returns the body.
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status, body: {}",
            self.text
        );
        if status >= 400 {
            assert!(
                self.body["error"].is_string(),
                "error body must be {{\"error\":...}}: {}",
                self.text
            );
        }
        &self.body
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Sends a request with optional Authorization value and raw body.
pub fn send(
    method: &str,
    url: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: Option<Vec<u8>>,
) -> Resp {
    let a = agent();
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(v) = auth {
        req = req.header("Authorization", v);
    }
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    let resp = a
        .run(req.body(body.unwrap_or_default()).unwrap())
        .expect("HTTP request");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = resp
        .into_body()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        text,
    }
}

pub fn json_req(method: &str, url: &str, auth: Option<&str>, body: Option<&Value>) -> Resp {
    send(
        method,
        url,
        auth,
        Some("application/json"),
        body.map(|b| serde_json::to_vec(b).unwrap()),
    )
}

/// An account created with the CLI: its queen client's credentials and a registration token.
pub struct Account {
    pub email: String,
    pub queen: Credentials,
    pub token: String,
}

impl Account {
    pub fn create(server: &Server) -> Account {
        let email = format!("{}@example.com", unique("acct"));
        let out = cli(&[
            "account",
            "create",
            "--database",
            &server.db_url,
            "--email",
            &email,
            "--api-url",
            &server.url,
        ]);
        let queen = Credentials::from_json(&out).expect("account create prints e3db.json");
        let token = cli(&[
            "token",
            "create",
            "--database",
            &server.db_url,
            "--email",
            &email,
        ])
        .trim()
        .to_string();
        Account {
            email,
            queen,
            token,
        }
    }

    pub fn token_with(&self, server: &Server, extra: &[&str]) -> String {
        let mut args = vec![
            "token",
            "create",
            "--database",
            &server.db_url,
            "--email",
            &self.email,
        ];
        args.extend_from_slice(extra);
        cli(&args).trim().to_string()
    }
}

/// A registered client with credentials and a bearer token.
pub struct Client {
    pub base: String,
    pub creds: Credentials,
    pub bearer: String,
    pub backup_client: String,
}

pub fn register_body(token: &str, name: &str, creds: &Credentials, with_signing: bool) -> Value {
    let mut client = json!({"name": name, "public_key": {"curve25519": creds.public_key}});
    if with_signing {
        client["signing_key"] = json!({"ed25519": creds.public_signing_key});
    }
    json!({"token": token, "client": client})
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        crypto::b64std_encode(format!("{id}:{secret}").as_bytes())
    )
}

pub fn oauth_token(base: &str, id: &str, secret: &str) -> Resp {
    send(
        "POST",
        &format!("{base}/v1/auth/token"),
        Some(&basic(id, secret)),
        Some("application/x-www-form-urlencoded"),
        Some(b"grant_type=client_credentials".to_vec()),
    )
}

impl Client {
    pub fn register(server: &Server, token: &str, name: &str) -> Client {
        Self::register_at(&server.url, token, name)
    }

    pub fn register_at(base: &str, token: &str, name: &str) -> Client {
        let mut creds = Credentials::generate(base).unwrap();
        let r = json_req(
            "POST",
            &format!("{base}/v1/account/e3db/clients/register"),
            None,
            Some(&register_body(token, name, &creds, true)),
        );
        let body = r.expect(201).clone();
        creds.client_id = body["client_id"].as_str().unwrap().to_string();
        creds.api_key_id = body["api_key_id"].as_str().unwrap().to_string();
        creds.api_secret = body["api_secret"].as_str().unwrap().to_string();
        let backup_client = r
            .header("x-backup-client")
            .expect("X-Backup-Client")
            .to_string();
        Self::login(base, creds, backup_client)
    }

    pub fn login(base: &str, creds: Credentials, backup_client: String) -> Client {
        let t = oauth_token(base, &creds.api_key_id, &creds.api_secret);
        let bearer = t.expect(200)["access_token"].as_str().unwrap().to_string();
        Client {
            base: base.to_string(),
            creds,
            bearer,
            backup_client,
        }
    }

    pub fn id(&self) -> &str {
        &self.creds.client_id
    }

    pub fn auth(&self) -> String {
        format!("Bearer {}", self.bearer)
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        json_req(
            method,
            &format!("{}{path}", self.base),
            Some(&self.auth()),
            body,
        )
    }

    /// `PUT /v1/storage/policy/<writer>/<writer>/<reader>/<type>`.
    pub fn policy(&self, writer: &str, reader: &str, record_type: &str, body: Value) -> Resp {
        self.call(
            "PUT",
            &format!("/v1/storage/policy/{writer}/{writer}/{reader}/{record_type}"),
            Some(&body),
        )
    }

    /// `/v1/storage/access_keys/<writer>/<writer>/<reader>/<type>`.
    pub fn eak(
        &self,
        method: &str,
        writer: &str,
        reader: &str,
        record_type: &str,
        body: Option<Value>,
    ) -> Resp {
        self.call(
            method,
            &format!("/v1/storage/access_keys/{writer}/{writer}/{reader}/{record_type}"),
            body.as_ref(),
        )
    }

    /// This client as a libtoz client.
    pub fn sdk(&self) -> toz::sdk::Client {
        self.sdk_with(Default::default())
    }

    /// A libtoz client of these credentials with `options`.
    pub fn sdk_with(&self, options: toz::sdk::http::HttpOptions) -> toz::sdk::Client {
        toz::sdk::Client::new(self.creds.clone(), &options).unwrap()
    }

    /// A libtoz client that keeps to Tozny's upload protocol (checksum first) with toz-server too.
    pub fn sdk_checksum_first(&self) -> toz::sdk::Client {
        self.sdk_with(toz::sdk::http::HttpOptions {
            single_pass_uploads: false,
            ..Default::default()
        })
    }

    /// A TSV1-signed request (the PY/GO canonical form).
    pub fn signed(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        let header = self.tsv1_header(method, p, q, time_now(), &crypto::random_uuid_v4());
        json_req(method, &format!("{}{path}", self.base), Some(&header), body)
    }

    pub fn tsv1_header(
        &self,
        method: &str,
        path: &str,
        query: &str,
        ts: i64,
        nonce: &str,
    ) -> String {
        tsv1::sign(
            path,
            query,
            method,
            &self.creds.signing_public().unwrap(),
            &self.creds.signing_secret().unwrap(),
            ts,
            nonce,
            self.id(),
        )
    }

    /// Gets or creates this client's own access key for a type (spec §4.5).
    pub fn own_key(&self, record_type: &str) -> AccessKey {
        let me = self.id().to_string();
        let path = format!("/v1/storage/access_keys/{me}/{me}/{me}/{record_type}");
        let r = self.call("GET", &path, None);
        if r.status == 200 {
            return self.open_eak(&r.body);
        }
        assert_eq!(r.status, 404, "{}", r.text);
        let ak = AccessKey::generate().unwrap();
        let eak = ak.encrypt_for(
            &self.creds.box_public().unwrap(),
            &self.creds.box_secret().unwrap(),
        );
        self.call("PUT", &path, Some(&json!({"eak": eak})))
            .expect(201);
        ak
    }

    /// Decrypts an EAK response addressed to this client.
    pub fn open_eak(&self, info: &Value) -> AccessKey {
        let authorizer = crypto::b64url_decode_array::<32>(
            info["authorizer_public_key"]["curve25519"]
                .as_str()
                .unwrap(),
            "k",
        )
        .unwrap();
        AccessKey::decrypt_eak(
            info["eak"].as_str().unwrap(),
            &authorizer,
            &self.creds.box_secret().unwrap(),
        )
        .unwrap()
    }

    /// Writes an encrypted record; returns the response body.
    pub fn write(&self, record_type: &str, data: &[(&str, &str)], plain: Value) -> Value {
        let ak = self.own_key(record_type);
        let mut map = serde_json::Map::new();
        for (k, v) in data {
            map.insert(k.to_string(), Value::String(v.to_string()));
        }
        let enc = fields::encrypt_data(&ak, &map).unwrap();
        let body = json!({"meta": {"writer_id": self.id(), "user_id": self.id(), "type": record_type, "plain": plain},
                          "data": enc});
        self.call("POST", "/v1/storage/records", Some(&body))
            .expect(201)
            .clone()
    }

    /// Shares a type with `reader` (EAK + allow-read policy), as the SDKs do (§5.2).
    pub fn share(&self, record_type: &str, reader: &Client) {
        let ak = self.own_key(record_type);
        self.share_key_on_behalf(self.id(), record_type, reader, &ak);
    }

    /// Puts an EAK for `reader` boxed with this client's key and an allow-read policy for writer W.
    pub fn share_key_on_behalf(
        &self,
        writer: &str,
        record_type: &str,
        reader: &Client,
        ak: &AccessKey,
    ) {
        let info = self.call("GET", &format!("/v1/storage/clients/{}", reader.id()), None);
        let reader_pk = crypto::b64url_decode_array::<32>(
            info.expect(200)["public_key"]["curve25519"]
                .as_str()
                .unwrap(),
            "k",
        )
        .unwrap();
        let eak = ak.encrypt_for(&reader_pk, &self.creds.box_secret().unwrap());
        let r = reader.id();
        self.call(
            "PUT",
            &format!("/v1/storage/access_keys/{writer}/{writer}/{r}/{record_type}"),
            Some(&json!({"eak": eak})),
        )
        .expect(201);
        self.call(
            "PUT",
            &format!("/v1/storage/policy/{writer}/{writer}/{r}/{record_type}"),
            Some(&json!({"allow": [{"read": {}}]})),
        )
        .expect(201);
    }

    pub fn revoke(&self, record_type: &str, reader: &str) {
        let me = self.id();
        self.call(
            "PUT",
            &format!("/v1/storage/policy/{me}/{me}/{reader}/{record_type}"),
            Some(&json!({"deny": [{"read": {}}]})),
        )
        .expect(201);
        self.call(
            "DELETE",
            &format!("/v1/storage/access_keys/{me}/{me}/{reader}/{record_type}"),
            None,
        )
        .expect(204);
    }

    /// Reads and decrypts a record with the EAK for its type.
    pub fn read_decrypt(&self, record_id: &str) -> serde_json::Map<String, Value> {
        let rec = self
            .call("GET", &format!("/v1/storage/records/{record_id}"), None)
            .expect(200)
            .clone();
        let (w, t) = (
            rec["meta"]["writer_id"].as_str().unwrap(),
            rec["meta"]["type"].as_str().unwrap(),
        );
        let eak = self
            .call(
                "GET",
                &format!("/v1/storage/access_keys/{w}/{w}/{}/{t}", self.id()),
                None,
            )
            .expect(200)
            .clone();
        let ak = self.open_eak(&eak);
        fields::decrypt_data(&ak, rec["data"].as_object().unwrap()).unwrap()
    }
}

/// A TSV1-signed request with any keys and `uid:` (empty for anonymous).
pub fn signed_as(
    base: &str,
    creds: &Credentials,
    uid: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Resp {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let header = tsv1::sign(
        p,
        q,
        method,
        &creds.signing_public().unwrap(),
        &creds.signing_secret().unwrap(),
        time_now(),
        &crypto::random_uuid_v4(),
        uid,
    );
    json_req(method, &format!("{base}{path}"), Some(&header), body)
}

pub fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn is_micros_timestamp(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let b = s.as_bytes();
    b.len() == 27
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[26] == b'Z'
        && b[20..26].iter().all(u8::is_ascii_digit)
}

/// Generates one `#[test]` per backend for each named check function `fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name($crate::common::Backend::Postgres) } )*
        }
    };
}
