//! Large encrypted files (spec §8.2): encrypt in constant memory to a private temporary file,
//! upload in three steps (announce → PUT bytes with Content-MD5 → commit), download and decrypt
//! to a path with nothing left behind on failure. Progress is reported through a callback.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::client::{Auth, Client};
use super::crypto;
use super::error::{Error, ErrorKind, Result};
use super::file_crypto;
use super::http::{Method, Request, encode_segment};
use super::records::PlainRecord;
use super::wire;

/// What a progress report is about.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressStage {
    /// Encrypting the local file (done/total are plaintext bytes).
    Encrypting = 1,
    /// Uploading the encrypted file (done/total are encrypted bytes).
    Uploading = 2,
    /// Downloading and decrypting (done/total are encrypted bytes).
    Downloading = 3,
}

/// A progress callback: (stage, bytes done, bytes in total).
pub type Progress<'a> = &'a mut dyn FnMut(ProgressStage, u64, u64);

/// A temporary file deleted when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Counts bytes read through it and reports them.
struct Counting<'a, 'p, R> {
    inner: R,
    done: u64,
    total: u64,
    stage: ProgressStage,
    progress: &'a mut Progress<'p>,
}

impl<R: Read> Read for Counting<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.done += n as u64;
            (self.progress)(self.stage, self.done, self.total);
        }
        Ok(n)
    }
}

impl Client {
    /// Encrypts the file at `path` and stores it as a record of `record_type` with plaintext
    /// metadata `plain`. Memory use does not grow with the file; a temporary file of the
    /// encrypted size is used (and always removed).
    pub fn write_file(
        &self,
        record_type: &str,
        path: &Path,
        plain: wire::StringMap,
        progress: Progress<'_>,
    ) -> Result<PlainRecord> {
        let mut progress = progress;
        // Checked before any request, so a bad path has no effect on the server.
        let plain_size = fs::metadata(path)
            .map_err(|e| Error::from(e).context("the file to upload"))?
            .len();
        let ak = self.own_access_key(record_type)?;

        let tmp =
            TempFile(std::env::temp_dir().join(format!("toz-upload-{}", crypto::random_uuid_v4())));
        let mut encrypted = private_temp_file(&tmp.0)?;
        let info = file_crypto::encrypt_path(&ak, path, &mut encrypted, &mut |done| {
            progress(ProgressStage::Encrypting, done, plain_size)
        })?;

        let me = self.client_id().to_string();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let meta = wire::Meta {
            writer_id: me.clone(),
            user_id: me,
            r#type: record_type.to_string(),
            plain,
            file_meta: Some(serde_json::to_value(wire::FileMeta {
                file_url: None,
                file_name,
                checksum: info.checksum.clone(),
                compression: "raw".into(),
                size: info.size,
            })?),
            ..Default::default()
        };
        let record = wire::Record {
            meta,
            data: Default::default(),
            rec_sig: None,
        };
        let pending: wire::PendingFile =
            self.call(Request::new(Method::Post, "/v1/storage/files").json(&record)?)?;

        encrypted
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::from(e).context("temporary file"))?;
        let mut body = Counting {
            inner: io::BufReader::new(encrypted),
            done: 0,
            total: info.size,
            stage: ProgressStage::Uploading,
            progress: &mut progress,
        };
        let headers = [
            ("content-type", "application/octet-stream".to_string()),
            ("content-md5", info.checksum.clone()),
        ];
        self.http
            .put_stream(&pending.file_url, &headers, &mut body, info.size)?
            .error_for_status()?;

        let path = format!("/v1/storage/files/{}", encode_segment(&pending.id));
        let committed: wire::Record = self
            .send(Request::new(Method::Patch, &path), Auth::Bearer)?
            .json()?;
        Ok(PlainRecord {
            meta: committed.meta,
            data: Default::default(),
        })
    }

    /// Downloads the file record `record_id` and decrypts it to `destination`, which appears
    /// only once the whole file verified. **Errors**: `Crypto` for a tampered or truncated file.
    pub fn read_file(
        &self,
        record_id: &str,
        destination: &Path,
        progress: Progress<'_>,
    ) -> Result<PlainRecord> {
        let path = format!("/v1/storage/files/{}", encode_segment(record_id));
        let record: wire::Record = self.call(Request::new(Method::Get, &path))?;
        let file_meta: wire::FileMeta =
            serde_json::from_value(record.meta.file_meta.clone().ok_or_else(|| {
                Error::new(ErrorKind::InvalidArgument, "that record is not a file")
            })?)
            .map_err(|e| Error::from(e).context("file_meta"))?;
        let url = file_meta
            .file_url
            .ok_or_else(|| Error::new(ErrorKind::Server, "the server gave no download URL"))?;
        let ak = self.reader_access_key(&record.meta, None)?;
        let body = self.http.get_stream(&url)?;
        let mut progress = progress;
        let mut reader = Counting {
            inner: body,
            done: 0,
            total: file_meta.size,
            stage: ProgressStage::Downloading,
            progress: &mut progress,
        };
        file_crypto::decrypt_to_path(&ak, &mut reader, destination, &mut |_| {})?;
        Ok(PlainRecord {
            meta: record.meta,
            data: Default::default(),
        })
    }
}

fn private_temp_file(path: &Path) -> Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| Error::from(e).context("creating a temporary file"))
}
