//! The version-3 file format of spec §8.2 checked against an independent implementation: files
//! built here directly with libsodium's C API, block by block as the spec describes (as Tozny's
//! SDKs write them), decrypt with toz, and files toz writes decrypt with libsodium directly.

use std::ops::ControlFlow;

use libsodium_sys as sodium;
use toz::sdk::file_crypto::{self, BLOCK_BYTES};
use toz::sdk::{AccessKey, crypto};

const TAG_MESSAGE: u8 = 0;
const TAG_FINAL: u8 = 3;

/// Builds a v3 file the way the spec describes it, without toz's file code.
fn spec_encrypt(ak: &AccessKey, plain: &[u8]) -> Vec<u8> {
    let dk: [u8; 32] = crypto::random_array();
    let edk_nonce: [u8; 24] = crypto::random_array();
    let edk = crypto::secretbox_seal(&dk, &edk_nonce, ak.bytes());
    let mut out = format!(
        "3.{}.{}.",
        crypto::b64url_encode(&edk),
        crypto::b64url_encode(&edk_nonce)
    )
    .into_bytes();
    unsafe {
        let mut state: sodium::crypto_secretstream_xchacha20poly1305_state = std::mem::zeroed();
        let mut header = [0u8; 24];
        assert_eq!(
            sodium::crypto_secretstream_xchacha20poly1305_init_push(
                &mut state,
                header.as_mut_ptr(),
                dk.as_ptr()
            ),
            0
        );
        out.extend_from_slice(&header);
        // Look-ahead, as PY/JS/GO: an exact multiple of the block size ends with a full FINAL block.
        let blocks: Vec<&[u8]> = if plain.is_empty() {
            vec![&[][..]]
        } else {
            plain.chunks(BLOCK_BYTES).collect()
        };
        for (i, block) in blocks.iter().enumerate() {
            let tag = if i + 1 == blocks.len() {
                TAG_FINAL
            } else {
                TAG_MESSAGE
            };
            let mut c = vec![0u8; block.len() + 17];
            let mut clen = 0u64;
            let rc = sodium::crypto_secretstream_xchacha20poly1305_push(
                &mut state,
                c.as_mut_ptr(),
                &mut clen,
                block.as_ptr(),
                block.len() as u64,
                std::ptr::null(),
                0,
                tag,
            );
            assert_eq!(rc, 0);
            out.extend_from_slice(&c[..clen as usize]);
        }
    }
    out
}

/// Decrypts a v3 file with libsodium's C API directly.
fn spec_decrypt(ak: &AccessKey, file: &[u8]) -> Vec<u8> {
    let mut dots = file
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    let (d1, d2, d3) = (
        dots.next().unwrap(),
        dots.next().unwrap(),
        dots.next().unwrap(),
    );
    assert_eq!(&file[..d1], b"3");
    let edk = crypto::b64url_decode(std::str::from_utf8(&file[d1 + 1..d2]).unwrap()).unwrap();
    let nonce =
        crypto::b64url_decode_array::<24>(std::str::from_utf8(&file[d2 + 1..d3]).unwrap(), "n")
            .unwrap();
    let dk = crypto::secretbox_open(&edk, &nonce, ak.bytes()).unwrap();
    let body = &file[d3 + 1..];
    let mut plain = Vec::new();
    unsafe {
        let mut state: sodium::crypto_secretstream_xchacha20poly1305_state = std::mem::zeroed();
        assert_eq!(
            sodium::crypto_secretstream_xchacha20poly1305_init_pull(
                &mut state,
                body.as_ptr(),
                dk.as_ptr()
            ),
            0
        );
        let mut tag = 0u8;
        for block in body[24..].chunks(BLOCK_BYTES + 17) {
            let mut m = vec![0u8; block.len()];
            let mut mlen = 0u64;
            let rc = sodium::crypto_secretstream_xchacha20poly1305_pull(
                &mut state,
                m.as_mut_ptr(),
                &mut mlen,
                &mut tag,
                block.as_ptr(),
                block.len() as u64,
                std::ptr::null(),
                0,
            );
            assert_eq!(rc, 0, "libsodium rejected a block toz wrote");
            plain.extend_from_slice(&m[..mlen as usize]);
        }
        assert_eq!(tag, TAG_FINAL, "toz's last block must carry TAG_FINAL");
    }
    plain
}

#[test]
fn spec_files_decrypt_with_toz_and_toz_files_decrypt_with_libsodium() {
    let ak = AccessKey::generate().unwrap();
    for len in [0, 10, BLOCK_BYTES, BLOCK_BYTES + 1, 3 * BLOCK_BYTES + 7] {
        let plain = crypto::random_bytes(len);
        let theirs = spec_encrypt(&ak, &plain);
        let mut ours = Vec::new();
        file_crypto::decrypt_stream(&ak, &mut &theirs[..], &mut ours, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(ours, plain, "spec-built file of {len} bytes");

        let mut encrypted = Vec::new();
        let info = file_crypto::encrypt_stream(&ak, &mut &plain[..], &mut encrypted, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(
            info.size as usize,
            theirs.len(),
            "same layout, same size, for {len} bytes"
        );
        assert_eq!(spec_decrypt(&ak, &encrypted), plain);
    }
}
