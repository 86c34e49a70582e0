//! Blobs as files in a directory: `<root>/<aa>/<uuid>` (`aa` = the first two hex digits), written
//! as `<root>/tmp/<uuid>.part`, fsynced, then renamed into place, so a blob file is always
//! complete. Several servers may share one directory (on PostgreSQL, give every `serve` the same
//! `--blob-dir`): names are random UUIDs, and rename is atomic within one file system.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

use super::{BlobRead, BlobStore, BlobUpload};
use crate::ids::parse_uuid;
use crate::store::Store;

/// Key prefix of directory blobs.
pub const SCHEME_PREFIX: &str = "file:";
const TMP: &str = "tmp";
/// Write buffer and read chunk size.
const CHUNK: usize = 256 * 1024;

/// A directory of blobs.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// Uses (creating if needed) the directory `root`.
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root.join(TMP))?;
        Ok(DirStore {
            root: root.to_path_buf(),
        })
    }

    /// The path of a key; None for anything but `file:<uuid>` (the key comes from the
    /// database, and must never name another path).
    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let id = parse_uuid(key.strip_prefix(SCHEME_PREFIX)?)?;
        Some(self.root.join(&id[..2]).join(id))
    }

    /// Deletes unreferenced blob files and temporary files last modified before `grace` ago.
    pub async fn sweep(&self, referenced: &HashSet<String>, grace: Duration) -> io::Result<usize> {
        let root = self.root.clone();
        let referenced = referenced.clone();
        tokio::task::spawn_blocking(move || sweep_blocking(&root, &referenced, grace))
            .await
            .map_err(io::Error::other)?
    }
}

fn old(path: &Path, grace: Duration) -> bool {
    let modified = std::fs::metadata(path).and_then(|m| m.modified());
    modified.is_ok_and(|t| {
        SystemTime::now()
            .duration_since(t)
            .is_ok_and(|age| age > grace)
    })
}

fn sweep_blocking(root: &Path, referenced: &HashSet<String>, grace: Duration) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(entry.path())? {
            let file = file?;
            let file_name = file.file_name().to_string_lossy().into_owned();
            let orphan = if name == TMP {
                true
            } else {
                !referenced.contains(&format!("{SCHEME_PREFIX}{file_name}"))
            };
            if orphan && old(&file.path(), grace) && std::fs::remove_file(file.path()).is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[async_trait]
impl BlobStore for DirStore {
    fn scheme(&self) -> &'static str {
        "file"
    }

    fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }

    async fn begin(&self) -> io::Result<Box<dyn BlobUpload>> {
        let id = toz::sdk::crypto::random_uuid_v4();
        let tmp = self.root.join(TMP).join(format!("{id}.part"));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&tmp).await?;
        Ok(Box::new(DirUpload {
            file: Some(BufWriter::with_capacity(CHUNK, file)),
            tmp,
            id,
            root: self.root.clone(),
        }))
    }

    async fn open(&self, key: &str) -> io::Result<Option<BlobRead>> {
        let path = self
            .path_of(key)
            .ok_or_else(|| io::Error::other("malformed directory blob key"))?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let len = file.metadata().await?.len();
        let body = futures_util::stream::unfold(Some(file), |state| async move {
            let mut file = state?;
            let mut buf = vec![0u8; CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        Ok(Some(BlobRead {
            len: Some(len),
            body: Box::pin(body),
        }))
    }

    async fn remove(&self, key: &str) -> io::Result<()> {
        let Some(path) = self.path_of(key) else {
            return Ok(());
        };
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// A blob being written to its temporary file. Dropped unfinished (an error, a refused checksum,
/// a client that went away), it deletes whatever it wrote. (After the rename the temporary path
/// no longer exists, and removing it is a harmless no-op.)
struct DirUpload {
    file: Option<BufWriter<tokio::fs::File>>,
    tmp: PathBuf,
    id: String,
    root: PathBuf,
}

impl Drop for DirUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[async_trait]
impl BlobUpload for DirUpload {
    async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.write_all(chunk).await,
            None => Err(io::Error::other("upload already finished")),
        }
    }

    async fn finish(
        mut self: Box<Self>,
        store: &dyn Store,
        pending_id: &str,
        file_meta: &str,
    ) -> io::Result<bool> {
        let mut writer = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("upload already finished"))?;
        writer.flush().await?;
        let file = writer.into_inner();
        file.sync_all().await?;
        drop(file);
        let dir = self.root.join(&self.id[..2]);
        tokio::fs::create_dir_all(&dir).await?;
        let dest = dir.join(&self.id);
        tokio::fs::rename(&self.tmp, &dest).await?;
        // The rename is durable once the directory is synced.
        let sync_dir = dir.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(sync_dir)?.sync_all())
            .await
            .map_err(io::Error::other)??;
        let key = format!("{SCHEME_PREFIX}{}", self.id);
        let attached = store.attach_blob(pending_id, &key, file_meta).await;
        if !matches!(attached, Ok(true)) {
            let _ = tokio::fs::remove_file(&dest).await;
        }
        attached.map_err(super::store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_name_other_paths() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::open(dir.path()).unwrap();
        let id = "0b9e4a1c-7c1d-4f7e-9a55-3f0f6c1e2d3a";
        assert_eq!(
            store.path_of(&format!("file:{id}")),
            Some(dir.path().join("0b").join(id))
        );
        for bad in ["file:../../etc/passwd", "file:", "lo:12", id, "file:0b/x"] {
            assert_eq!(store.path_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn sweep_removes_only_old_unreferenced_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::open(dir.path()).unwrap();
        let (kept, orphan) = (
            "aa000000-0000-4000-8000-000000000001",
            "aa000000-0000-4000-8000-000000000002",
        );
        std::fs::create_dir_all(dir.path().join("aa")).unwrap();
        for name in [kept, orphan] {
            std::fs::write(dir.path().join("aa").join(name), b"x").unwrap();
        }
        std::fs::write(dir.path().join(TMP).join("stale.part"), b"x").unwrap();
        let referenced: HashSet<String> = [format!("file:{kept}")].into();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let young = rt
            .block_on(store.sweep(&referenced, Duration::from_secs(3600)))
            .unwrap();
        assert_eq!(young, 0, "files younger than the grace period stay");
        let removed = rt
            .block_on(store.sweep(&referenced, Duration::ZERO))
            .unwrap();
        assert_eq!(removed, 2);
        assert!(dir.path().join("aa").join(kept).exists());
        assert!(!dir.path().join("aa").join(orphan).exists());
    }
}
