//! Large encrypted files (spec §8.2): upload in three steps (announce → PUT the encrypted bytes
//! → commit), download and decrypt to a path with nothing left behind on failure, in constant
//! memory. Progress is reported through a callback.
//!
//! Tozny's protocol announces the MD5 of the encrypted file before the upload, so the encrypted
//! file goes through the disk: written to a private temporary file, then uploaded from it. MD5 runs
//! at under half the speed of the encryption. toz-server offers a single pass instead
//! (`single-pass-file-upload`): the size is announced (it follows from the plaintext length),
//! the encryption streams straight into the upload, and the server records the MD5 of what it
//! received. Integrity does not rest on that MD5: every 64 KiB block carries a Poly1305 tag and
//! the last is tagged FINAL, which every reader checks.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::access_key::AccessKey;
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
    /// Encrypting the local file before the upload (done/total are plaintext bytes). Only
    /// where the upload needs the checksum first; a single-pass upload reports `Uploading` only.
    Encrypting = 1,
    /// Uploading the encrypted file (done/total are encrypted bytes); in a single-pass upload
    /// the bytes are encrypted as they are sent.
    Uploading = 2,
    /// Downloading and decrypting (done/total are encrypted bytes).
    Downloading = 3,
}

/// A progress callback: (stage, bytes done, bytes in total). Returning `Break` cancels the
/// transfer: it stops at once, stores nothing and fails with [`ErrorKind::Cancelled`].
pub type Progress<'a> = &'a mut dyn FnMut(ProgressStage, u64, u64) -> ControlFlow<()>;

/// What a file record is announced with, besides its size and checksum.
struct Announcement<'a> {
    record_type: &'a str,
    plain: wire::StringMap,
    file_name: Option<String>,
}

/// A temporary file deleted when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Counts bytes read through it and reports them; fails the read once the callback cancels.
struct Counting<'a, 'p, R> {
    inner: R,
    done: u64,
    total: u64,
    stage: ProgressStage,
    progress: &'a mut Progress<'p>,
    cancelled: bool,
}

impl<'a, 'p, R> Counting<'a, 'p, R> {
    fn new(inner: R, total: u64, stage: ProgressStage, progress: &'a mut Progress<'p>) -> Self {
        Counting {
            inner,
            done: 0,
            total,
            stage,
            progress,
            cancelled: false,
        }
    }

    /// `result` of the transfer read through this, or Cancelled if the callback stopped it.
    fn outcome<T>(&self, result: Result<T>) -> Result<T> {
        if self.cancelled {
            return Err(Error::cancelled());
        }
        result
    }
}

impl<R: Read> Read for Counting<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.done += n as u64;
            if (self.progress)(self.stage, self.done, self.total).is_break() {
                // The bytes just read are not handed on: the transfer never completes.
                self.cancelled = true;
                return Err(io::Error::other("cancelled"));
            }
        }
        Ok(n)
    }
}

impl Client {
    /// Encrypts the file at `path` and stores it as a record of `record_type` with plaintext
    /// metadata `plain`. Memory use does not grow with the file.
    ///
    /// Where the server offers it (toz-server) and `single_pass_uploads` is on, the file is
    /// encrypted as it is sent, and progress is reported as `Uploading` only. Elsewhere it is
    /// first encrypted to a private temporary file (always removed), for the MD5 checksum that
    /// Tozny's protocol announces before the upload: `Encrypting`, then `Uploading`.
    pub fn write_file(
        &self,
        record_type: &str,
        path: &Path,
        plain: wire::StringMap,
        progress: Progress<'_>,
    ) -> Result<PlainRecord> {
        let mut progress = progress;
        // Opened before any request, so a bad path has no effect on the server.
        let file =
            fs::File::open(path).map_err(|e| Error::from(e).context("the file to upload"))?;
        let metadata = file
            .metadata()
            .map_err(|e| Error::from(e).context("the file to upload"))?;
        if metadata.is_dir() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the file to upload is a directory",
            ));
        }
        // A pipe or a device has no length to announce up front: it goes checksum first.
        let plain_size = metadata.is_file().then_some(metadata.len());
        let ak = self.own_access_key(record_type)?;
        let announcement = Announcement {
            record_type,
            plain,
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        };
        let single_pass = match plain_size {
            Some(size) if self.single_pass_uploads => self
                .server_offers(wire::FEATURE_SINGLE_PASS_UPLOAD)?
                .then_some(size),
            _ => None,
        };
        let pending_id = match single_pass {
            Some(size) => self.upload_single_pass(&ak, file, size, announcement, &mut progress)?,
            None => self.upload_checksum_first(&ak, file, announcement, &mut progress)?,
        };
        let path = format!("/v1/storage/files/{}", encode_segment(&pending_id));
        let committed: wire::Record = self
            .send(Request::new(Method::Patch, &path), Auth::Bearer)?
            .json()?;
        Ok(PlainRecord {
            meta: committed.meta,
            data: Default::default(),
        })
    }

    /// toz-server's single pass: announce the size (known from the plaintext length) without a
    /// checksum, then stream the encryption straight into the upload. Returns the pending id.
    fn upload_single_pass(
        &self,
        ak: &AccessKey,
        file: fs::File,
        plain_size: u64,
        announcement: Announcement<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<String> {
        let size = file_crypto::encrypted_size(plain_size);
        let pending = self.announce(announcement, size, String::new())?;
        let mut body = Counting::new(
            file_crypto::EncryptingReader::new(ak, file, Some(plain_size))?,
            size,
            ProgressStage::Uploading,
            progress,
        );
        let headers = [("content-type", "application/octet-stream".to_string())];
        let sent = self
            .http
            .put_stream(&pending.file_url, &headers, &mut body, size);
        // A failure to read or encrypt the file aborts the upload: report it, not the
        // transport's view of it. The server keeps nothing of an aborted upload.
        if let Some(e) = body.inner.take_error() {
            return Err(e);
        }
        body.outcome(sent)?.error_for_status()?;
        Ok(pending.id)
    }

    /// Tozny's protocol: encrypt to a temporary file while computing the MD5, announce size and
    /// checksum, then upload the temporary file with `Content-MD5`. Returns the pending id.
    fn upload_checksum_first(
        &self,
        ak: &AccessKey,
        mut file: fs::File,
        announcement: Announcement<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<String> {
        // The total for a pipe is unknown until its end: its reports give 0.
        let plain_size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map_or(0, |m| m.len());
        let tmp =
            TempFile(std::env::temp_dir().join(format!("toz-upload-{}", crypto::random_uuid_v4())));
        let mut encrypted = private_temp_file(&tmp.0)?;
        let info = file_crypto::encrypt_stream(
            ak,
            &mut file,
            &mut io::BufWriter::new(&mut encrypted),
            &mut |done| progress(ProgressStage::Encrypting, done, plain_size),
        )?;
        let pending = self.announce(announcement, info.size, info.checksum.clone())?;
        encrypted
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::from(e).context("temporary file"))?;
        let mut body = Counting::new(
            io::BufReader::new(encrypted),
            info.size,
            ProgressStage::Uploading,
            progress,
        );
        let headers = [
            ("content-type", "application/octet-stream".to_string()),
            ("content-md5", info.checksum),
        ];
        let sent = self
            .http
            .put_stream(&pending.file_url, &headers, &mut body, info.size);
        body.outcome(sent)?.error_for_status()?;
        Ok(pending.id)
    }

    /// `POST /v1/storage/files`: announces a file record of `size` encrypted bytes (and its
    /// checksum, unless empty) and returns where to upload it.
    fn announce(
        &self,
        announcement: Announcement<'_>,
        size: u64,
        checksum: String,
    ) -> Result<wire::PendingFile> {
        let me = self.client_id().to_string();
        let meta = wire::Meta {
            writer_id: me.clone(),
            user_id: me,
            r#type: announcement.record_type.to_string(),
            plain: announcement.plain,
            file_meta: Some(serde_json::to_value(wire::FileMeta {
                file_url: None,
                file_name: announcement.file_name,
                checksum,
                compression: "raw".into(),
                size,
            })?),
            ..Default::default()
        };
        let record = wire::Record {
            meta,
            data: Default::default(),
            rec_sig: None,
        };
        self.call(Request::new(Method::Post, "/v1/storage/files").json(&record)?)
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
        let mut reader = Counting::new(
            body,
            file_meta.size,
            ProgressStage::Downloading,
            &mut progress,
        );
        let decrypted = file_crypto::decrypt_to_path(&ak, &mut reader, destination, &mut |_| {
            ControlFlow::Continue(())
        });
        reader.outcome(decrypted)?;
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
