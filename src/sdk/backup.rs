//! Registration with a token, credential backup (`tozny.key_backup`, spec §2.1–2.2) and recovery
//! of backed-up credentials by the account's backup client (none of Tozny's SDKs offers that).

use serde::Serialize;
use serde_json::{Map, Value};

use super::client::Client;
use super::credentials::Credentials;
use super::error::{Error, ErrorKind, Result};
use super::http::{Http, HttpOptions, Method, Request, encode_segment};
use super::wire;

/// Record type of credential backups.
pub const BACKUP_RECORD_TYPE: &str = "tozny.key_backup";
/// Fields of a backup record, in e3db.json order.
const BACKUP_FIELDS: [&str; 10] = [
    "version",
    "client_id",
    "api_key_id",
    "api_secret",
    "client_email",
    "public_key",
    "private_key",
    "public_signing_key",
    "private_signing_key",
    "api_url",
];

/// The result of registering: the new credentials and the account's backup client.
#[derive(Debug)]
pub struct Registration {
    /// The new client's full credentials.
    pub credentials: Credentials,
    /// The account's backup ("queen") client, from the `X-Backup-Client` header.
    pub backup_client_id: Option<String>,
}

/// Generates keys locally, registers a client with `registration_token`, and, with `backup`,
/// stores its credentials as a `tozny.key_backup` record shared with the account's backup client.
/// Without backup the private keys exist only in the returned credentials.
pub fn register(
    api_url: &str,
    registration_token: &str,
    name: &str,
    backup: bool,
    options: &HttpOptions,
) -> Result<Registration> {
    if registration_token.is_empty() || name.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "registration token and client name must not be empty",
        ));
    }
    let mut credentials = Credentials::generate(api_url)?;
    let http = Http::new(&credentials.api_url, options)?;
    let body = wire::RegisterRequest {
        token: registration_token.to_string(),
        client: wire::RegisterClient {
            name: name.to_string(),
            r#type: Some("general".into()),
            public_key: wire::PublicKey {
                curve25519: credentials.public_key.clone(),
            },
            signing_key: Some(wire::SigningKey {
                ed25519: Some(credentials.public_signing_key.clone()),
            }),
        },
    };
    let response =
        http.send(&Request::new(Method::Post, "/v1/account/e3db/clients/register").json(&body)?)?;
    let backup_client_id = response
        .header("x-backup-client")
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    let details: wire::ClientDetails = response.json().map_err(|e| e.context("registration"))?;
    credentials.client_id = details.client_id;
    credentials.api_key_id = details.api_key_id;
    credentials.api_secret = details
        .api_secret
        .ok_or_else(|| Error::new(ErrorKind::Json, "registration response has no api_secret"))?;
    credentials.validate()?;

    if backup {
        let backup_client = backup_client_id.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::Server,
                "the server named no backup client (X-Backup-Client); cannot back up",
            )
        })?;
        let client = Client::new(credentials.clone(), options)?;
        client
            .backup(registration_token, backup_client)
            .map_err(|e| {
                let client_id = client.client_id().to_string();
                e.context(&format!(
                    "client {client_id} was registered but its credential backup failed"
                ))
            })?;
    }
    Ok(Registration {
        credentials,
        backup_client_id,
    })
}

/// One backed-up client, as listed by the backup client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackupEntry {
    /// The backed-up client.
    pub client_id: String,
    /// Its backup record.
    pub record_id: String,
    /// When the backup was written.
    pub created: String,
}

impl Client {
    /// Writes this client's credentials as a `tozny.key_backup` record, shares the type with
    /// `backup_client_id`, and tells the server (which sets the client's has_backup flag).
    /// Each value is JSON-encoded as the SDKs do "so the Dashboard can decode them"; `version`
    /// is written unquoted, as PY does.
    pub fn backup(&self, registration_token: &str, backup_client_id: &str) -> Result<()> {
        let c = &self.credentials;
        let quoted = |s: &str| Value::String(Value::String(s.to_string()).to_string());
        let values = [
            Value::String(c.version.to_string()),
            quoted(&c.client_id),
            quoted(&c.api_key_id),
            quoted(&c.api_secret),
            quoted(&c.client_email),
            quoted(&c.public_key),
            quoted(&c.private_key),
            quoted(&c.public_signing_key),
            quoted(&c.private_signing_key),
            quoted(&c.api_url),
        ];
        let mut data: Map<String, Value> = BACKUP_FIELDS
            .iter()
            .map(|f| f.to_string())
            .zip(values)
            .collect();
        let plain = [("client".to_string(), c.client_id.clone())]
            .into_iter()
            .collect();
        let written = self.write_record(BACKUP_RECORD_TYPE, &data, plain);
        wipe_strings(&mut data);
        drop(written?);
        self.share(BACKUP_RECORD_TYPE, backup_client_id)?;
        let path = format!(
            "/v1/account/backup/{}/{}",
            encode_segment(registration_token),
            encode_segment(self.client_id())
        );
        self.call_empty(Request::new(Method::Post, &path))
    }

    fn backup_query(
        &self,
        writer: Option<&str>,
        include_data: bool,
        after_index: i64,
    ) -> wire::QueryRequest {
        wire::QueryRequest {
            count: Some(100),
            include_data,
            writer_ids: writer.map(|w| vec![w.to_string()]).unwrap_or_default(),
            content_types: vec![BACKUP_RECORD_TYPE.into()],
            after_index,
            include_all_writers: true,
            ..Default::default()
        }
    }

    /// As the account's backup client: every client whose credentials are backed up to it (the
    /// newest backup of each).
    pub fn list_backups(&self) -> Result<Vec<BackupEntry>> {
        let mut by_client: std::collections::BTreeMap<String, BackupEntry> = Default::default();
        let mut after = 0;
        loop {
            let page = self.query(&self.backup_query(None, false, after))?;
            for r in &page.results {
                let client_id = r
                    .meta
                    .plain
                    .get("client")
                    .cloned()
                    .unwrap_or_else(|| r.meta.writer_id.clone());
                if r.meta.writer_id != client_id {
                    continue; // only a client can back itself up
                }
                by_client.insert(
                    client_id.clone(),
                    BackupEntry {
                        client_id,
                        record_id: r.meta.record_id.clone().unwrap_or_default(),
                        created: r.meta.created.clone().unwrap_or_default(),
                    },
                );
            }
            if page.results.len() < 100 || page.last_index == after {
                break;
            }
            after = page.last_index;
        }
        Ok(by_client.into_values().collect())
    }

    /// As the account's backup client: decrypts the newest backup of `client_id` and returns
    /// its full credentials. Every quoting variant of the SDKs is accepted (PY writes `version`
    /// bare, JS quotes it; GO writes no signing keys).
    pub fn recover_credentials(&self, client_id: &str) -> Result<Credentials> {
        let mut newest = None;
        let mut after = 0;
        loop {
            let page = self.query(&self.backup_query(Some(client_id), true, after))?;
            let full = page.results.len() >= 100;
            if let Some(last) = page.results.into_iter().last() {
                newest = Some(last);
            }
            if !full || page.last_index == after {
                break;
            }
            after = page.last_index;
        }
        let record = newest.ok_or_else(|| {
            Error::new(ErrorKind::NotFound, "no credential backup for that client")
        })?;
        credentials_from_backup(&record.data)
    }
}

/// Zeroes the string values of a JSON object that held secrets.
fn wipe_strings(map: &mut Map<String, Value>) {
    use zeroize::Zeroize;
    for value in map.values_mut() {
        if let Value::String(s) = value {
            s.zeroize();
        }
    }
}

/// Decodes one backup field: JSON-encoded (`"\"v\""` or `2`) or, leniently, raw text.
fn backup_value(value: &Value) -> String {
    let Some(text) = value.as_str() else {
        return String::new();
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(n)) => n.to_string(),
        _ => text.to_string(),
    }
}

/// Rebuilds credentials from the decrypted fields of a backup record.
pub fn credentials_from_backup(data: &Map<String, Value>) -> Result<Credentials> {
    let mut object = Map::new();
    for field in BACKUP_FIELDS {
        if let Some(v) = data.get(field) {
            object.insert(field.to_string(), Value::String(backup_value(v)));
        }
    }
    let text = zeroize::Zeroizing::new(Value::Object(object).to_string());
    Credentials::from_json(&text).map_err(|e| e.context("backup record"))
}
