//! The safe Rust core: knows nothing of C. No `unsafe` anywhere below this module.

pub mod access_key;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod fields;
pub mod note_crypto;
pub mod sealed;
pub mod signatures;
pub mod tsv1;

pub use access_key::AccessKey;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
