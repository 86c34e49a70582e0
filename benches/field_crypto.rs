//! Field encryption throughput: toz's four-part field format vs raw libsodium secretbox + base64
//! on the same data, measured side by side (alternating rounds) in one process.
//!
//! Run: `cargo bench --bench field_crypto` (prints the markdown tables of docs/benchmarks.md).

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use toz::sdk::{AccessKey, crypto, fields};

const ROUNDS: usize = 15;
const B64_URLSAFE_NO_PADDING: i32 = 7;

/// The baseline: one secretbox of the plaintext plus base64url of the ciphertext, calling
/// libsodium's C functions directly (what a hand-written client would do).
fn raw_encrypt(plain: &[u8], key: &[u8; 32]) -> String {
    let nonce: [u8; 24] = crypto::random_array();
    let mut ct = vec![0u8; plain.len() + 16];
    unsafe {
        libsodium_sys::crypto_secretbox_easy(
            ct.as_mut_ptr(),
            plain.as_ptr(),
            plain.len() as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        );
        let len = libsodium_sys::sodium_base64_encoded_len(ct.len(), B64_URLSAFE_NO_PADDING);
        let mut out = vec![0u8; len];
        libsodium_sys::sodium_bin2base64(
            out.as_mut_ptr().cast(),
            len,
            ct.as_ptr(),
            ct.len(),
            B64_URLSAFE_NO_PADDING,
        );
        out.pop();
        String::from_utf8_unchecked(out)
    }
}

/// The same secretbox with the fast base64 codec toz uses for ciphertext, to isolate the cost of
/// the four-part format itself.
fn raw_encrypt_fast_b64(plain: &[u8], key: &[u8; 32]) -> String {
    let nonce: [u8; 24] = crypto::random_array();
    let ct = crypto::secretbox_seal(plain, &nonce, key);
    let mut out = String::with_capacity((ct.len() * 4).div_ceil(3));
    crypto::b64url_append_public(&mut out, &ct);
    out
}

fn raw_decrypt(text: &str, nonce: &[u8; 24], key: &[u8; 32]) -> Vec<u8> {
    unsafe {
        let mut ct = vec![0u8; text.len() * 3 / 4 + 3];
        let mut ct_len = 0usize;
        let rc = libsodium_sys::sodium_base642bin(
            ct.as_mut_ptr(),
            ct.len(),
            text.as_ptr().cast(),
            text.len(),
            std::ptr::null(),
            &mut ct_len,
            std::ptr::null_mut(),
            B64_URLSAFE_NO_PADDING,
        );
        assert_eq!(rc, 0);
        let mut plain = vec![0u8; ct_len - 16];
        let rc = libsodium_sys::crypto_secretbox_open_easy(
            plain.as_mut_ptr(),
            ct.as_ptr(),
            ct_len as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        );
        assert_eq!(rc, 0);
        plain
    }
}

/// Runs `a` and `b` alternately for `ROUNDS` rounds of `iters` calls; returns the median seconds
/// per call of each. Alternating keeps both exposed to the same machine noise.
fn side_by_side(iters: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..iters {
            a();
        }
        ta.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..iters {
            b();
        }
        tb.push(t.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() / iters as f64
    };
    (median(&mut ta), median(&mut tb))
}

fn mib_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / (1024.0 * 1024.0)
}

fn main() {
    crypto::init().unwrap();
    let ak = AccessKey::generate().unwrap();
    let key = *ak.bytes();
    println!(
        "| field size | toz encrypt MiB/s | raw libsodium encrypt MiB/s | toz/raw | raw + fast base64 MiB/s | toz/(raw + fast b64) | toz decrypt MiB/s | raw libsodium decrypt MiB/s | toz/raw |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, size, iters) in [
        ("1 KiB", 1024, 4000),
        ("64 KiB", 64 * 1024, 100),
        ("1 MiB", 1024 * 1024, 8),
    ] {
        let plain = crypto::random_bytes(size);
        let (toz_enc, raw_enc) = side_by_side(
            iters,
            || {
                black_box(fields::encrypt_field(&ak, black_box(&plain)));
            },
            || {
                black_box(raw_encrypt(black_box(&plain), &key));
            },
        );
        let (toz_enc2, fast_enc) = side_by_side(
            iters,
            || {
                black_box(fields::encrypt_field(&ak, black_box(&plain)));
            },
            || {
                black_box(raw_encrypt_fast_b64(black_box(&plain), &key));
            },
        );
        let field = fields::encrypt_field(&ak, &plain);
        let nonce: [u8; 24] = crypto::random_array();
        let raw_ct = {
            let mut ct = vec![0u8; size + 16];
            unsafe {
                libsodium_sys::crypto_secretbox_easy(
                    ct.as_mut_ptr(),
                    plain.as_ptr(),
                    size as u64,
                    nonce.as_ptr(),
                    key.as_ptr(),
                )
            };
            crypto::b64url_encode(&ct)
        };
        let (toz_dec, raw_dec) = side_by_side(
            iters,
            || {
                black_box(fields::decrypt_field(&ak, black_box(&field)).unwrap());
            },
            || {
                black_box(raw_decrypt(black_box(&raw_ct), &nonce, &key));
            },
        );
        println!(
            "| {label} | {:.0} | {:.0} | {:.2}x | {:.0} | {:.2}x | {:.0} | {:.0} | {:.2}x |",
            mib_per_s(size, toz_enc),
            mib_per_s(size, raw_enc),
            raw_enc / toz_enc,
            mib_per_s(size, fast_enc),
            fast_enc / toz_enc2,
            mib_per_s(size, toz_dec),
            mib_per_s(size, raw_dec),
            raw_dec / toz_dec
        );
    }

    // Small records: 10 fields of 100 bytes each.
    let mut record = Map::new();
    for i in 0..10 {
        record.insert(format!("field{i}"), Value::String("x".repeat(100)));
    }
    let encrypted = fields::encrypt_data(&ak, &record).unwrap();
    let hundred = vec![b'x'; 100];
    let (toz_enc, raw_enc) = side_by_side(
        2000,
        || {
            black_box(fields::encrypt_data(&ak, black_box(&record)).unwrap());
        },
        || {
            for _ in 0..10 {
                black_box(raw_encrypt(black_box(&hundred), &key));
            }
        },
    );
    let (toz_dec, _) = side_by_side(
        2000,
        || {
            black_box(fields::decrypt_data(&ak, black_box(&encrypted)).unwrap());
        },
        || {},
    );
    println!();
    println!("| small record (10 × 100 B) | records/s |");
    println!("|---|---|");
    println!("| toz encrypt | {:.0} |", 1.0 / toz_enc);
    println!("| raw secretbox+base64 ×10 | {:.0} |", 1.0 / raw_enc);
    println!("| toz decrypt | {:.0} |", 1.0 / toz_dec);
}
