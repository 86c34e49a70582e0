//! Version queries.

use std::ffi::c_char;

/// ABI version: bumped on every incompatible change of the exported functions. Bindings refuse
/// to load a library whose ABI version differs from the one they were written for.
/// Version 2: `toz_progress_fn` returns an `int` (non-zero cancels the transfer).
pub const TOZ_ABI_VERSION: u32 = 2;

/// The library version ("0.1.0"): static, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn toz_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version (`TOZ_ABI_VERSION`).
#[unsafe(no_mangle)]
pub extern "C" fn toz_abi_version() -> u32 {
    TOZ_ABI_VERSION
}
