//! toz: an end-to-end encrypted storage client, wire-compatible with Tozny TozStore (E3DB).
//!
//! [`sdk`] is the Rust API (safe code only); [`ffi`] is the C ABI over it (the only `unsafe`).
//! The C header `include/toz.h` is generated from [`ffi`] by cbindgen in build.rs.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[deny(unsafe_code)]
pub mod sdk;

pub mod ffi;
