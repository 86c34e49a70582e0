//! The safe Rust core: knows nothing of C. No `unsafe` anywhere below this module.

pub mod access_key;
pub mod backup;
pub mod client;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod fields;
pub mod file_crypto;
pub mod files;
pub mod http;
pub mod json;
pub mod note_crypto;
pub mod notes;
pub mod query;
pub mod records;
pub mod sealed;
pub mod sharing;
pub mod signatures;
pub mod tsv1;
pub mod wire;

pub use access_key::AccessKey;
pub use client::Client;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
