//! The C ABI: the only place with `unsafe`. Every function here checks its pointers, runs the
//! safe core inside a panic boundary and converts the result; no logic lives here.
//!
//! Conventions (they are repeated in the header's preamble):
//! * Fallible functions return `toz_error *`: NULL on success, otherwise an error object the
//!   caller frees with `toz_free_error`. Out-parameters are written only on success.
//! * Every pointer argument is checked: NULL gives `TOZ_ERROR_KIND_NULL_ARGUMENT`, invalid
//!   UTF-8 gives `TOZ_ERROR_KIND_INVALID_UTF8`. A Rust panic becomes `TOZ_ERROR_KIND_PANIC`.
//! * Memory the library returns is freed only by the library (`toz_free_*`), which zeroes it.
//! * All handles may be moved between threads. Functions taking `const toz_x *` may be called
//!   concurrently on the same handle; `toz_free_*` must not race with any other use.

#![allow(non_camel_case_types)]
// C type names follow the header (toz_error, toz_client, ...).
// One safety contract covers every export and is stated once, above and in the header preamble:
// each pointer is NULL or valid for its documented use, strings are NUL-terminated, handles are
// live and came from this library.
#![allow(clippy::missing_safety_doc)]

mod access_key;
mod boundary;
mod client;
mod client_notes_files;
mod client_records;
mod client_sharing;
mod credentials;
mod error;
mod records;
mod strings;
mod version;

pub use access_key::*;
pub use client::*;
pub use client_notes_files::*;
pub use client_records::*;
pub use client_sharing::*;
pub use credentials::*;
pub use error::*;
pub use records::*;
pub use strings::toz_free_string;
pub use version::*;
