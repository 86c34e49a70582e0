//! Blob stores: where the encrypted bytes of large files (§8.2) live.
//!
//! A [`BlobStore`] streams an upload in (never holding it whole), attaches it to its pending
//! upload only once every byte is durable, streams it out, and removes it. Two implementations:
//!
//! * [`dir::DirStore`]: one file per blob in a directory (the default, beside the SQLite
//!   database; with PostgreSQL when the operator names a directory). Keys are `file:<uuid>`.
//! * [`large_object::LargeObjects`]: PostgreSQL large objects (the default on PostgreSQL). Keys
//!   are `lo:<oid>`. The upload, its attachment and every later unlink run inside database
//!   transactions, so there are never orphans.
//!
//! Keys name their store, so a database whose blobs moved from one store to the other keeps
//! serving the old ones ([`Blobs`] dispatches on the key).

pub mod dir;
pub mod large_object;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

use crate::store::{Store, StoreError};

/// A blob's bytes, in chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// An opened blob: its length when the store knows it, and its bytes.
pub struct BlobRead {
    /// Length in bytes, if known without reading.
    pub len: Option<u64>,
    /// The bytes.
    pub body: ByteStream,
}

/// A store of immutable blobs.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// The key prefix (before `:`) of this store's keys.
    fn scheme(&self) -> &'static str;
    /// A human-readable description for the start-up log.
    fn describe(&self) -> String;
    /// Starts a new blob. Dropping the upload before [`BlobUpload::finish`] discards it.
    async fn begin(&self) -> io::Result<Box<dyn BlobUpload>>;
    /// Opens a blob; None when it does not exist.
    async fn open(&self, key: &str) -> io::Result<Option<BlobRead>>;
    /// Removes a blob no row refers to any more (absent is fine).
    async fn remove(&self, key: &str) -> io::Result<()>;
}

/// A blob being written.
#[async_trait]
pub trait BlobUpload: Send {
    /// Appends bytes.
    async fn write(&mut self, chunk: &[u8]) -> io::Result<()>;
    /// Makes the blob durable and attaches it to the pending upload `pending_id` with its final
    /// `file_meta` JSON ([`crate::store::FileStore::attach_blob`]). Returns false, keeping
    /// nothing, when the upload is gone or already has its bytes.
    async fn finish(
        self: Box<Self>,
        store: &dyn Store,
        pending_id: &str,
        file_meta: &str,
    ) -> io::Result<bool>;
}

/// A store error as an I/O error (blob operations report one error type).
pub fn store_error(e: StoreError) -> io::Error {
    match e {
        StoreError::Db(e) => io::Error::other(e),
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The server's blob stores: new uploads go to one, existing keys are served by whichever store
/// their scheme names.
pub struct Blobs {
    uploads: Arc<dyn BlobStore>,
    all: Vec<Arc<dyn BlobStore>>,
    dir: Option<Arc<dir::DirStore>>,
}

impl Blobs {
    /// New uploads go to `dir` when given, else to `large_objects`; both serve their own keys.
    pub fn new(
        dir: Option<dir::DirStore>,
        large_objects: Option<large_object::LargeObjects>,
    ) -> Self {
        let dir = dir.map(Arc::new);
        let mut all: Vec<Arc<dyn BlobStore>> = Vec::new();
        if let Some(d) = &dir {
            all.push(d.clone());
        }
        if let Some(lo) = large_objects {
            all.push(Arc::new(lo));
        }
        let uploads = all
            .first()
            .cloned()
            .expect("the server always has a blob store");
        Blobs { uploads, all, dir }
    }

    /// Where new uploads go, for the start-up log.
    pub fn describe(&self) -> String {
        self.uploads.describe()
    }

    /// Starts a new blob in the upload store.
    pub async fn begin(&self) -> io::Result<Box<dyn BlobUpload>> {
        self.uploads.begin().await
    }

    fn store_for(&self, key: &str) -> io::Result<&Arc<dyn BlobStore>> {
        let scheme = key.split_once(':').map(|(s, _)| s).unwrap_or("");
        self.all
            .iter()
            .find(|s| s.scheme() == scheme)
            .ok_or_else(|| {
                io::Error::other(format!(
                    "no blob store for '{scheme}:' keys is configured on this server"
                ))
            })
    }

    /// Opens a blob by key; None when it does not exist.
    pub async fn open(&self, key: &str) -> io::Result<Option<BlobRead>> {
        self.store_for(key)?.open(key).await
    }

    /// Removes blobs whose rows are gone; failures are logged (the sweep retries them).
    pub async fn remove_all(&self, keys: &[String]) {
        for key in keys {
            let result = match self.store_for(key) {
                Ok(s) => s.remove(key).await,
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not remove a blob");
            }
        }
    }

    /// Removes directory blobs that no row refers to and that are older than `grace` (so an
    /// upload another server is attaching right now is left alone), and stale temporary files.
    pub async fn sweep(&self, store: &dyn Store, grace: Duration) -> io::Result<usize> {
        let Some(dir) = &self.dir else { return Ok(0) };
        let referenced = store
            .blob_keys(dir::SCHEME_PREFIX)
            .await
            .map_err(store_error)?;
        dir.sweep(&referenced, grace).await
    }
}
