//! Large-file encryption in TozStore's version-3 format (spec §8.2), streamed in constant memory.
//!
//! ```text
//! "3." b64url(edk) "." b64url(edkN) "."   ASCII header; edk = secretbox(dk, edkN, ak)
//! <24-byte secretstream header>
//! <block 1> ... <block n>                  65,536-byte plaintext blocks, each one
//!                                          secretstream message (+17 bytes); the last is
//!                                          tagged FINAL (an empty file is one empty FINAL block)
//! ```
//! Encryption looks one block ahead so a file that is an exact multiple of the block size ends
//! with a full FINAL block, as PY, JS and GO do. The size counts every encrypted byte and is
//! known from the plaintext length alone ([`encrypted_size`]). The checksum Tozny's upload
//! protocol announces is the padded standard base64 of the MD5 of the whole encrypted file.

use std::fs;
use std::io::{self, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;

use super::access_key::AccessKey;
use super::crypto::{self, KEY_BYTES, NONCE_BYTES, STREAM_ABYTES, STREAM_HEADER_BYTES};
use super::error::{Error, ErrorKind, Result};
use zeroize::Zeroizing;

/// Plaintext bytes per secretstream message.
pub const BLOCK_BYTES: usize = 65_536;
/// Ciphertext bytes per full message.
pub const CIPHER_BLOCK_BYTES: usize = BLOCK_BYTES + STREAM_ABYTES;
/// The longest ASCII header accepted when decrypting.
const MAX_ASCII_HEADER: usize = 256;

/// The length of the ASCII header `3.<edk>.<edkN>.`: a 48-byte sealed key and a 24-byte nonce in
/// unpadded base64url, with three dots and the version.
pub const ASCII_HEADER_BYTES: u64 = 2 + 64 + 1 + 32 + 1;

/// What the upload protocol needs to know about an encrypted file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedFile {
    /// Encrypted length in bytes (headers included).
    pub size: u64,
    /// Standard padded base64 of the MD5 of the encrypted bytes.
    pub checksum: String,
}

/// The exact encrypted length of a `plain_len`-byte file: both headers, the plaintext, and one
/// authentication tag per block (an empty file is one empty block). A single-pass upload
/// announces this before encrypting anything.
pub fn encrypted_size(plain_len: u64) -> u64 {
    let blocks = plain_len.div_ceil(BLOCK_BYTES as u64).max(1);
    ASCII_HEADER_BYTES + STREAM_HEADER_BYTES as u64 + plain_len + blocks * STREAM_ABYTES as u64
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::from(e).context("reading the file")),
        }
    }
    Ok(filled)
}

/// The encrypted form of a plaintext stream, produced as it is read: first both headers, then
/// one secretstream message per block. It looks one block ahead, so a file that is an exact
/// multiple of the block size ends with a full FINAL block. Memory is two plaintext blocks and
/// one ciphertext block, whatever the size.
///
/// It is both a [`Read`] (the body of a single-pass upload) and, through
/// [`EncryptingReader::next_chunk`], a source of whole chunks for [`encrypt_stream`].
pub struct EncryptingReader<R> {
    input: R,
    stream: crypto::StreamEncryptor,
    /// The plaintext length the caller promised, checked as the input is read.
    expected_plain: Option<u64>,
    current: Zeroizing<Vec<u8>>,
    /// Bytes in `current`, or None before the first read.
    current_len: Option<usize>,
    next: Zeroizing<Vec<u8>>,
    /// Encrypted bytes not yet handed out, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    plain_done: u64,
    finished: bool,
    /// The first failure, kept for the caller: an upload reports it rather than the transport's.
    error: Option<Error>,
}

impl<R: Read> EncryptingReader<R> {
    /// Starts encrypting `input` under the record type's access key. With `expected_plain`,
    /// input that turns out longer or shorter (a file changed while it was read) is an error
    /// before the FINAL block, so the encrypted stream never has the announced size by mistake.
    pub fn new(ak: &AccessKey, input: R, expected_plain: Option<u64>) -> Result<Self> {
        let dk = crypto::random_key();
        let edk_nonce: [u8; NONCE_BYTES] = crypto::random_array();
        let edk = crypto::secretbox_seal(&dk[..], &edk_nonce, ak.bytes());
        let (stream, header) = crypto::StreamEncryptor::new(&dk)?;
        let mut out = Vec::with_capacity(CIPHER_BLOCK_BYTES);
        out.extend_from_slice(
            format!(
                "3.{}.{}.",
                crypto::b64url_encode(&edk),
                crypto::b64url_encode(&edk_nonce)
            )
            .as_bytes(),
        );
        out.extend_from_slice(&header);
        debug_assert_eq!(
            out.len() as u64,
            ASCII_HEADER_BYTES + STREAM_HEADER_BYTES as u64
        );
        Ok(EncryptingReader {
            input,
            stream,
            expected_plain,
            current: Zeroizing::new(vec![0u8; BLOCK_BYTES]),
            current_len: None,
            next: Zeroizing::new(vec![0u8; BLOCK_BYTES]),
            out,
            out_pos: 0,
            plain_done: 0,
            finished: false,
            error: None,
        })
    }

    /// Plaintext bytes encrypted so far.
    pub fn plain_done(&self) -> u64 {
        self.plain_done
    }

    /// The failure that stopped the stream, if any (taken, so it is reported once).
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    /// The next piece of the encrypted stream (the headers, then one whole message at a time),
    /// or None at the end.
    pub fn next_chunk(&mut self) -> Result<Option<&[u8]>> {
        if self.out_pos == self.out.len() {
            if self.finished {
                return Ok(None);
            }
            if let Err(e) = self.encrypt_next_block() {
                self.finished = true;
                self.error = Some(e.clone());
                return Err(e);
            }
        }
        let chunk = &self.out[self.out_pos..];
        self.out_pos = self.out.len();
        Ok(Some(chunk))
    }

    fn encrypt_next_block(&mut self) -> Result<()> {
        let current_len = match self.current_len {
            Some(n) => n,
            None => read_full(&mut self.input, &mut self.current[..])?,
        };
        let next_len = if current_len == BLOCK_BYTES {
            read_full(&mut self.input, &mut self.next[..])?
        } else {
            0
        };
        let last = next_len == 0;
        let read = self.plain_done + current_len as u64;
        if let Some(expected) = self.expected_plain {
            let wrong = if last {
                read != expected
            } else {
                read >= expected
            };
            if wrong {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the file changed while it was being encrypted",
                ));
            }
        }
        self.out.clear();
        self.out_pos = 0;
        self.stream
            .push(&self.current[..current_len], last, &mut self.out)?;
        self.plain_done = read;
        std::mem::swap(&mut self.current, &mut self.next);
        self.current_len = Some(next_len);
        self.finished = last;
        Ok(())
    }
}

impl<R: Read> Read for EncryptingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            match self.next_chunk() {
                Ok(None) => return Ok(0),
                // Handed out below, by the same copy as the rest of the chunk.
                Ok(Some(_)) => self.out_pos = 0,
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Encrypts `input` into `output` under the record type's access key, and computes the MD5
/// checksum that Tozny's upload protocol announces up front. MD5 is as slow as the encryption
/// itself, so it runs on a second thread, alongside. `progress` is called with the number of
/// plaintext bytes done after every block; `Break` stops with [`ErrorKind::Cancelled`].
pub fn encrypt_stream(
    ak: &AccessKey,
    input: &mut impl Read,
    output: &mut impl Write,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<EncryptedFile> {
    let mut encrypting = EncryptingReader::new(ak, input, None)?;
    // A few chunks in flight bound the memory the hashing thread may hold.
    let (hasher, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
    std::thread::scope(|scope| {
        let hashing = scope.spawn(move || {
            let mut md5 = crypto::Md5::default();
            for chunk in chunks {
                md5.update(&chunk);
            }
            md5.finish_base64()
        });
        let mut size = 0u64;
        let written = (|| {
            while let Some(chunk) = encrypting.next_chunk()? {
                output
                    .write_all(chunk)
                    .map_err(|e| Error::from(e).context("writing the encrypted file"))?;
                size += chunk.len() as u64;
                // The hashing thread only ends early if it panicked; join() below reports that.
                let _ = hasher.send(chunk.to_vec());
                if size > ASCII_HEADER_BYTES + STREAM_HEADER_BYTES as u64
                    && progress(encrypting.plain_done()).is_break()
                {
                    return Err(Error::cancelled());
                }
            }
            output
                .flush()
                .map_err(|e| Error::from(e).context("writing the encrypted file"))
        })();
        drop(hasher);
        let checksum = hashing
            .join()
            .map_err(|_| Error::new(ErrorKind::Crypto, "checksum thread failed"))?;
        written.map(|()| EncryptedFile { size, checksum })
    })
}

fn corrupt(why: &str) -> Error {
    Error::new(
        ErrorKind::Crypto,
        format!("encrypted file is corrupted, truncated or tampered with ({why})"),
    )
}

/// Reads the ASCII header `3.<edk>.<edkN>.` and returns the stream key it wraps.
fn read_key(ak: &AccessKey, input: &mut impl Read) -> Result<zeroize::Zeroizing<[u8; KEY_BYTES]>> {
    let mut header = Vec::new();
    let mut byte = [0u8; 1];
    while header.iter().filter(|&&b| b == b'.').count() < 3 {
        if header.len() >= MAX_ASCII_HEADER || read_full(input, &mut byte)? == 0 {
            return Err(corrupt("bad header"));
        }
        header.push(byte[0]);
    }
    let text = std::str::from_utf8(&header).map_err(|_| corrupt("bad header"))?;
    let parts: Vec<&str> = text.split('.').collect();
    if parts[0] != "3" {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "unsupported encrypted file version (expected 3)",
        ));
    }
    let edk = crypto::b64url_decode(parts[1]).map_err(|_| corrupt("bad key"))?;
    let edk_nonce = crypto::b64url_decode_array::<NONCE_BYTES>(parts[2], "file key nonce")
        .map_err(|_| corrupt("bad key nonce"))?;
    let dk = crypto::secretbox_open(&edk, &edk_nonce, ak.bytes()).map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "could not decrypt the file key: wrong access key or corrupted file",
        )
    })?;
    let mut key = zeroize::Zeroizing::new([0u8; KEY_BYTES]);
    if dk.len() != KEY_BYTES {
        return Err(corrupt("bad key length"));
    }
    key.copy_from_slice(&dk);
    Ok(key)
}

/// Decrypts a version-3 file from `input` into `output`. Fails with [`ErrorKind::Crypto`] on any
/// tampering, truncation (no FINAL block) or trailing data. `progress` gets plaintext bytes done;
/// `Break` stops with [`ErrorKind::Cancelled`].
/// Plaintext is written as it is verified, block by block: use [`decrypt_to_path`] so a failed
/// file leaves nothing behind.
pub fn decrypt_stream(
    ak: &AccessKey,
    input: &mut impl Read,
    output: &mut impl Write,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<u64> {
    let key = read_key(ak, input)?;
    let mut header = [0u8; STREAM_HEADER_BYTES];
    if read_full(input, &mut header)? != STREAM_HEADER_BYTES {
        return Err(corrupt("truncated header"));
    }
    let mut stream = crypto::StreamDecryptor::new(&header, &key)?;
    let mut block = vec![0u8; CIPHER_BLOCK_BYTES];
    let mut plain = Vec::with_capacity(BLOCK_BYTES);
    let mut done = 0u64;
    loop {
        let n = read_full(input, &mut block)?;
        if n < STREAM_ABYTES {
            return Err(corrupt("truncated"));
        }
        plain.clear();
        let last = stream.pull(&block[..n], &mut plain)?;
        output
            .write_all(&plain)
            .map_err(|e| Error::from(e).context("writing the decrypted file"))?;
        done += plain.len() as u64;
        if progress(done).is_break() {
            return Err(Error::cancelled());
        }
        if last {
            let mut extra = [0u8; 1];
            if read_full(input, &mut extra)? != 0 {
                return Err(corrupt("data after the final block"));
            }
            break;
        }
        if n < CIPHER_BLOCK_BYTES {
            return Err(corrupt("truncated"));
        }
    }
    output
        .flush()
        .map_err(|e| Error::from(e).context("writing the decrypted file"))?;
    plain.fill(0);
    Ok(done)
}

/// Decrypts into `path` through a temporary file in the same directory that is renamed into
/// place only when the whole file verified; on any failure nothing is left at `path` (an
/// existing file there is left untouched).
pub fn decrypt_to_path(
    ak: &AccessKey,
    input: &mut impl Read,
    path: &Path,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<u64> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "destination has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.toz-partial-{}",
        name.to_string_lossy(),
        crypto::random_uuid_v4()
    ));
    let result = (|| {
        let mut file = private_new_file(&tmp)?;
        let n = decrypt_stream(ak, input, &mut io::BufWriter::new(&mut file), progress)?;
        file.sync_all()
            .map_err(|e| Error::from(e).context("writing the decrypted file"))?;
        fs::rename(&tmp, path)
            .map_err(|e| Error::from(e).context("moving the decrypted file into place"))?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn private_new_file(path: &Path) -> Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| Error::from(e).context("creating the decrypted file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(len: usize) {
        let ak = AccessKey::generate().unwrap();
        let plain = crypto::random_bytes(len);
        let mut encrypted = Vec::new();
        let mut calls = 0;
        let info = encrypt_stream(&ak, &mut &plain[..], &mut encrypted, &mut |_| {
            calls += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(info.size as usize, encrypted.len());
        let mut md5 = crypto::Md5::default();
        md5.update(&encrypted);
        assert_eq!(info.checksum, md5.finish_base64());
        let blocks = if len == 0 {
            1
        } else {
            len.div_ceil(BLOCK_BYTES)
        };
        assert_eq!(calls, blocks);
        assert_eq!(
            encrypted.len(),
            100 + STREAM_HEADER_BYTES + len + blocks * STREAM_ABYTES
        );
        assert_eq!(encrypted_size(len as u64), info.size);
        let mut back = Vec::new();
        assert_eq!(
            decrypt_stream(&ak, &mut &encrypted[..], &mut back, &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap(),
            len as u64
        );
        assert_eq!(back, plain);
    }

    #[test]
    fn round_trips_at_block_boundaries() {
        for len in [
            0,
            1,
            BLOCK_BYTES - 1,
            BLOCK_BYTES,
            BLOCK_BYTES + 1,
            3 * BLOCK_BYTES,
        ] {
            round_trip(len);
        }
    }

    #[test]
    fn the_reader_yields_exactly_the_announced_size_in_any_read_sizes() {
        let ak = AccessKey::generate().unwrap();
        for len in [0, 1, BLOCK_BYTES, 2 * BLOCK_BYTES + 7] {
            let plain = crypto::random_bytes(len);
            let mut reader = EncryptingReader::new(&ak, &plain[..], Some(len as u64)).unwrap();
            let mut encrypted = Vec::new();
            // Odd read sizes cross every chunk boundary.
            let mut buf = [0u8; 1000];
            loop {
                let n = reader.read(&mut buf[..7 + encrypted.len() % 993]).unwrap();
                if n == 0 {
                    break;
                }
                encrypted.extend_from_slice(&buf[..n]);
            }
            assert_eq!(encrypted.len() as u64, encrypted_size(len as u64), "{len}");
            assert_eq!(reader.plain_done(), len as u64);
            let mut back = Vec::new();
            decrypt_stream(&ak, &mut &encrypted[..], &mut back, &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            assert_eq!(back, plain);
        }
    }

    #[test]
    fn input_of_another_length_than_promised_is_refused_before_the_final_block() {
        let ak = AccessKey::generate().unwrap();
        let plain = crypto::random_bytes(2 * BLOCK_BYTES);
        for promised in [0, BLOCK_BYTES as u64, 2 * BLOCK_BYTES as u64 + 1, 5] {
            let mut reader = EncryptingReader::new(&ak, &plain[..], Some(promised)).unwrap();
            let mut out = Vec::new();
            let err = reader.read_to_end(&mut out).unwrap_err();
            assert!(err.to_string().contains("changed"), "{err}");
            assert_eq!(
                reader.take_error().unwrap().kind(),
                ErrorKind::InvalidArgument
            );
            assert!(reader.take_error().is_none(), "reported once");
            // What was produced is never a complete stream.
            assert!(
                decrypt_stream(&ak, &mut &out[..], &mut Vec::new(), &mut |_| {
                    ControlFlow::Continue(())
                })
                .is_err()
            );
        }
    }

    #[test]
    fn a_progress_break_stops_encryption_and_decryption() {
        let ak = AccessKey::generate().unwrap();
        let plain = crypto::random_bytes(4 * BLOCK_BYTES);
        let mut encrypted = Vec::new();
        let mut calls = 0;
        let err = encrypt_stream(&ak, &mut &plain[..], &mut encrypted, &mut |done| {
            calls += 1;
            if done >= 2 * BLOCK_BYTES as u64 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap_err();
        assert_eq!((err.kind(), calls), (ErrorKind::Cancelled, 2));
        assert!(encrypted.len() < 3 * BLOCK_BYTES, "stopped at once");

        let mut whole = Vec::new();
        encrypt_stream(&ak, &mut &plain[..], &mut whole, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let mut back = Vec::new();
        let err = decrypt_stream(&ak, &mut &whole[..], &mut back, &mut |_| {
            ControlFlow::Break(())
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled);
        assert_eq!(back.len(), BLOCK_BYTES, "one block, then it stopped");
    }

    #[test]
    fn truncation_tampering_and_wrong_keys_fail() {
        let ak = AccessKey::generate().unwrap();
        let plain = crypto::random_bytes(2 * BLOCK_BYTES + 10);
        let mut enc = Vec::new();
        encrypt_stream(&ak, &mut &plain[..], &mut enc, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let mut sink = Vec::new();
        let cut = &enc[..enc.len() - (BLOCK_BYTES / 2)];
        assert_eq!(
            decrypt_stream(&ak, &mut &cut[..], &mut sink, &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap_err()
            .kind(),
            ErrorKind::Crypto
        );
        let whole_blocks = &enc[..124 + CIPHER_BLOCK_BYTES];
        assert_eq!(
            decrypt_stream(&ak, &mut &whole_blocks[..], &mut Vec::new(), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap_err()
            .kind(),
            ErrorKind::Crypto
        );
        let mut flipped = enc.clone();
        flipped[200] ^= 1;
        assert_eq!(
            decrypt_stream(&ak, &mut &flipped[..], &mut Vec::new(), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap_err()
            .kind(),
            ErrorKind::Crypto
        );
        let mut extra = enc.clone();
        extra.push(0);
        assert_eq!(
            decrypt_stream(&ak, &mut &extra[..], &mut Vec::new(), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap_err()
            .kind(),
            ErrorKind::Crypto
        );
        let other = AccessKey::generate().unwrap();
        assert_eq!(
            decrypt_stream(&other, &mut &enc[..], &mut Vec::new(), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap_err()
            .kind(),
            ErrorKind::Crypto
        );
    }

    #[test]
    fn a_failed_decryption_leaves_no_file() {
        let ak = AccessKey::generate().unwrap();
        let mut enc = Vec::new();
        encrypt_stream(
            &ak,
            &mut &crypto::random_bytes(BLOCK_BYTES * 2)[..],
            &mut enc,
            &mut |_| ControlFlow::Continue(()),
        )
        .unwrap();
        let dir = std::env::temp_dir().join(format!("toz-file-{}", crypto::random_uuid_v4()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.bin");
        let truncated = &enc[..enc.len() - 5];
        assert!(
            decrypt_to_path(&ak, &mut &truncated[..], &target, &mut |_| {
                ControlFlow::Continue(())
            })
            .is_err()
        );
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            0,
            "no partial plaintext may remain"
        );
        decrypt_to_path(&ak, &mut &enc[..], &target, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(
            fs::metadata(&target).unwrap().len(),
            (BLOCK_BYTES * 2) as u64
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
