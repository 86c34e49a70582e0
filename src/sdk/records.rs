//! Records: write, read, update and delete, encrypting field by field (spec §4).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::Client;
use super::error::{Error, ErrorKind, Result};
use super::fields;
use super::http::{Method, Request, encode_segment};
use super::json::string_map;
use super::tsv1::query_escape;
use super::wire;

/// A record as the caller sees it: server metadata and plaintext data. This is the JSON shape
/// records cross the ABI in: `{"meta":{...},"data":{"field":"plaintext",...}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlainRecord {
    /// Server metadata (record_id, writer_id, user_id, type, plain, created, last_modified,
    /// version).
    #[serde(default)]
    pub meta: wire::Meta,
    /// Decrypted fields.
    #[serde(default)]
    pub data: Map<String, Value>,
}

impl Client {
    fn encrypt_record(&self, meta: wire::Meta, data: &Map<String, Value>) -> Result<wire::Record> {
        // Refuse bad input before any request reaches the server (the access key may be created).
        string_map(data, "data")?;
        let ak = self.own_access_key(&meta.r#type)?;
        let encrypted = fields::encrypt_data(&ak, data)?;
        Ok(wire::Record {
            meta,
            data: string_map(&encrypted, "encrypted data")?,
            rec_sig: None,
        })
    }

    /// Decrypts a record read from the server; `inline` is an EAK that came with it.
    pub(crate) fn decrypt_record(
        &self,
        meta: wire::Meta,
        data: &wire::StringMap,
        inline: Option<&wire::EakInfo>,
    ) -> Result<PlainRecord> {
        if data.is_empty() {
            return Ok(PlainRecord {
                meta,
                data: Map::new(),
            });
        }
        let ak = self.reader_access_key(&meta, inline)?;
        let encrypted: Map<String, Value> = data
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        Ok(PlainRecord {
            data: fields::decrypt_data(&ak, &encrypted)?,
            meta,
        })
    }

    /// Writes a new record of `record_type` with plaintext `data` (an object of strings) and
    /// plaintext metadata `plain`. The access key for the type is created on first use.
    pub fn write_record(
        &self,
        record_type: &str,
        data: &Map<String, Value>,
        plain: wire::StringMap,
    ) -> Result<PlainRecord> {
        if record_type.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "record type must not be empty",
            ));
        }
        let me = self.client_id().to_string();
        let meta = wire::Meta {
            writer_id: me.clone(),
            user_id: me,
            r#type: record_type.into(),
            plain,
            ..Default::default()
        };
        let record = self.encrypt_record(meta, data)?;
        let stored: wire::Record =
            self.call(Request::new(Method::Post, "/v1/storage/records").json(&record)?)?;
        Ok(PlainRecord {
            meta: stored.meta,
            data: data.clone(),
        })
    }

    /// Reads and decrypts a record; `fields` limits the data fields returned.
    pub fn read_record(&self, record_id: &str, fields: Option<&[String]>) -> Result<PlainRecord> {
        let path = format!("/v1/storage/records/{}", encode_segment(record_id));
        let query = fields
            .unwrap_or_default()
            .iter()
            .map(|f| format!("field={}", query_escape(f)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::new(Method::Get, &path);
        request.query = &query;
        let record: wire::Record = self.call(request)?;
        self.decrypt_record(record.meta, &record.data, None)
    }

    /// Replaces a record's data and plain meta, guarded by its version: `record.meta` must carry
    /// the record_id and version read earlier. A stale version is [`ErrorKind::Conflict`].
    pub fn update_record(&self, record: &PlainRecord) -> Result<PlainRecord> {
        let record_id = record.meta.record_id.as_deref().filter(|s| !s.is_empty());
        let version = record.meta.version.as_deref().filter(|s| !s.is_empty());
        let (Some(record_id), Some(version)) = (record_id, version) else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "update needs meta.record_id and meta.version",
            ));
        };
        if record.meta.r#type.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "update needs meta.type",
            ));
        }
        let me = self.client_id().to_string();
        let meta = wire::Meta {
            writer_id: me.clone(),
            user_id: me,
            r#type: record.meta.r#type.clone(),
            plain: record.meta.plain.clone(),
            record_id: Some(record_id.to_string()),
            version: Some(version.to_string()),
            ..Default::default()
        };
        let encrypted = self.encrypt_record(meta, &record.data)?;
        let path = format!(
            "/v1/storage/records/safe/{}/{}",
            encode_segment(record_id),
            encode_segment(version)
        );
        let stored: wire::Record = self.call(Request::new(Method::Put, &path).json(&encrypted)?)?;
        Ok(PlainRecord {
            meta: stored.meta,
            data: record.data.clone(),
        })
    }

    /// Deletes a record. With `version` the delete is refused ([`ErrorKind::Conflict`]) if the
    /// record changed since; without it the record is deleted whatever its version.
    pub fn delete_record(&self, record_id: &str, version: Option<&str>) -> Result<()> {
        let path = match version.filter(|v| !v.is_empty()) {
            Some(v) => format!(
                "/v1/storage/records/safe/{}/{}",
                encode_segment(record_id),
                encode_segment(v)
            ),
            None => format!("/v1/storage/records/{}", encode_segment(record_id)),
        };
        self.call_empty(Request::new(Method::Delete, &path))
    }
}
