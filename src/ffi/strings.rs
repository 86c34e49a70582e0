//! Strings the library hands out.

use std::ffi::{CString, c_char};

use zeroize::Zeroize;

use super::boundary::value_boundary;

/// Frees a string returned by toz (JSON, keys, sealed credentials), zeroing it first so that no
/// secret lingers in freed memory. NULL is a no-op. Must not be called twice on the same pointer,
/// and never pass a string that toz did not allocate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_free_string(s: *mut c_char) {
    value_boundary((), || {
        if !s.is_null() {
            // SAFETY: per the contract `s` came from CString::into_raw in this library.
            let mut bytes = unsafe { CString::from_raw(s) }.into_bytes_with_nul();
            bytes.zeroize();
        }
    })
}
