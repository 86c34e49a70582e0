//! `toz_error`: the error object returned by every fallible function.

use std::ffi::{CString, c_char};

use crate::sdk::{Error, ErrorKind};

use super::boundary::{free_handle, value_boundary};

/// An error returned by a toz function. Opaque; read it with the `toz_error_get_*` functions and
/// free it with `toz_free_error`.
pub struct toz_error {
    kind: ErrorKind,
    message: CString,
    http_status: u16,
}

impl toz_error {
    pub(crate) fn boxed(e: Error) -> *mut toz_error {
        // Messages are built by the library and contain no NUL; replace one defensively.
        let message = CString::new(e.message().replace('\0', " ")).unwrap_or_default();
        Box::into_raw(Box::new(toz_error {
            kind: e.kind(),
            message,
            http_status: e.http_status(),
        }))
    }
}

/// The error's stable kind (`TOZ_ERROR_KIND_*`). Returns `TOZ_ERROR_KIND_NULL_ARGUMENT` for a
/// NULL `err`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_error_get_kind(err: *const toz_error) -> ErrorKind {
    value_boundary(ErrorKind::Panic, || {
        // SAFETY: NULL or a live error per the contract.
        unsafe { err.as_ref() }.map_or(ErrorKind::NullArgument, |e| e.kind)
    })
}

/// The error's message: borrowed, valid until `toz_free_error(err)`; never contains secrets,
/// tokens or plaintext. Returns an empty string for a NULL `err`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_error_get_message(err: *const toz_error) -> *const c_char {
    value_boundary(c"".as_ptr(), || {
        // SAFETY: NULL or a live error per the contract.
        unsafe { err.as_ref() }.map_or(c"".as_ptr(), |e| e.message.as_ptr())
    })
}

/// The HTTP status of the response that caused the error, or 0 when it did not come from an
/// HTTP response (or `err` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_error_get_http_status(err: *const toz_error) -> u16 {
    value_boundary(0, || {
        // SAFETY: NULL or a live error per the contract.
        unsafe { err.as_ref() }.map_or(0, |e| e.http_status)
    })
}

/// Frees an error. NULL is a no-op. Must not be called twice on the same pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn toz_free_error(err: *mut toz_error) {
    value_boundary((), || unsafe { free_handle(err) })
}
