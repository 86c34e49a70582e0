//! The panic boundary and argument helpers every export goes through.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::sdk::{Error, ErrorKind, Result};

use super::error::toz_error;

/// Runs `f`, turning its error or a panic into a heap error object (NULL on success).
pub(crate) fn ffi_boundary<F: FnOnce() -> Result<()>>(f: F) -> *mut toz_error {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => toz_error::boxed(e),
        Err(payload) => {
            // The payload of a panic is a message we wrote ourselves or a library's assertion
            // text; neither carries caller data, but keep it short.
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            toz_error::boxed(Error::new(
                ErrorKind::Panic,
                format!("internal error (panic): {what}"),
            ))
        }
    }
}

/// Runs an infallible getter; a panic yields `default` instead of unwinding into C.
pub(crate) fn value_boundary<T, F: FnOnce() -> T>(default: T, f: F) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// A required NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the returned borrow.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::new(
            ErrorKind::NullArgument,
            format!("{name} is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, format!("{name} is not valid UTF-8")))
}

/// An optional string argument: NULL is None.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// Borrows a handle argument.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` created by this library.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: per the caller's contract a non-NULL pointer is a live, properly aligned T.
    unsafe { ptr.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::NullArgument, format!("{name} is NULL")))
}

/// Checks an out-parameter before any work is done, so a NULL one fails fast.
pub(crate) fn out_arg<T>(ptr: *mut T, name: &str) -> Result<*mut T> {
    if ptr.is_null() {
        Err(Error::new(
            ErrorKind::NullArgument,
            format!("{name} is NULL"),
        ))
    } else {
        Ok(ptr)
    }
}

/// Writes a boxed handle to a checked out-parameter.
///
/// # Safety
/// `out` was returned by [`out_arg`] and is valid for writes.
pub(crate) unsafe fn write_handle<T>(out: *mut *mut T, value: T) {
    // SAFETY: checked non-NULL by out_arg; the caller owns the new box.
    unsafe { *out = Box::into_raw(Box::new(value)) };
}

/// Writes a library-owned C string to a checked out-parameter.
///
/// # Safety
/// As [`write_handle`].
pub(crate) unsafe fn write_string(out: *mut *mut c_char, value: &str) -> Result<()> {
    let c = CString::new(value)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "output contains a NUL byte"))?;
    // SAFETY: checked non-NULL by out_arg.
    unsafe { *out = c.into_raw() };
    Ok(())
}

/// Serialises `value` as JSON into a checked out-parameter. The output may hold plaintext, so the
/// intermediate text is wiped; `toz_free_string` wipes the copy the caller gets.
///
/// # Safety
/// As [`write_handle`].
pub(crate) unsafe fn write_json(
    out: *mut *mut c_char,
    value: &impl serde::Serialize,
) -> Result<()> {
    let text = zeroize::Zeroizing::new(serde_json::to_string(value)?);
    unsafe { write_string(out, &text) }
}

/// Frees a boxed handle (NULL is a no-op).
///
/// # Safety
/// `ptr` is NULL or came from [`write_handle`] and has not been freed.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the caller's contract this is our Box, freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_object() {
        let err = ffi_boundary(|| panic!("boom"));
        assert!(!err.is_null());
        unsafe {
            assert_eq!(
                super::super::error::toz_error_get_kind(err),
                ErrorKind::Panic
            );
            let msg = CStr::from_ptr(super::super::error::toz_error_get_message(err))
                .to_str()
                .unwrap();
            assert!(msg.contains("boom"));
            super::super::error::toz_free_error(err);
        }
    }

    #[test]
    fn a_panicking_getter_returns_the_default() {
        assert_eq!(value_boundary(7u16, || panic!("getter")), 7);
    }
}
