//! Large files, two tables for docs/benchmarks.md.
//!
//! 1. Encryption: toz's v3 file format vs raw libsodium secretstream over the same 256 MiB
//!    input, side by side, with the peak memory (max RSS) of each, measured in a child process
//!    so that setup does not count. toz is measured both ways it encrypts for an upload: the
//!    single pass (the encrypting reader that feeds a toz-server upload, read in the upload's
//!    16 KiB pieces) and checksum first (encryption plus the MD5 Tozny's protocol announces).
//! 2. Whole uploads of the same file to a local release toz-server (SQLite, blobs on disk),
//!    single pass vs checksum first, with the server on the same two cores.
//!
//! Run: `cargo build --release -p toz-server && cargo bench --bench file_crypto`
//! (TOZ_SERVER_BIN overrides the server binary; default target/release/toz-server).

#[path = "../tests/common/mod.rs"]
mod common;

use std::fs;
use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::process::Command;

use std::time::Instant;

use libsodium_sys as sodium;
use toz::sdk::backup::register;
use toz::sdk::file_crypto::{self, BLOCK_BYTES};
use toz::sdk::http::HttpOptions;
use toz::sdk::{AccessKey, Client, crypto};

const SIZE: u64 = 256 * 1024 * 1024;

/// Raw libsodium: read 64 KiB blocks, push each (FINAL on the last), write them out.
fn raw_encrypt(input: &mut impl Read, output: &mut impl Write) {
    let key: [u8; 32] = crypto::random_array();
    let mut block = vec![0u8; BLOCK_BYTES];
    let mut cipher = vec![0u8; BLOCK_BYTES + 17];
    unsafe {
        let mut state: sodium::crypto_secretstream_xchacha20poly1305_state = std::mem::zeroed();
        let mut header = [0u8; 24];
        sodium::crypto_secretstream_xchacha20poly1305_init_push(
            &mut state,
            header.as_mut_ptr(),
            key.as_ptr(),
        );
        output.write_all(&header).unwrap();
        let mut remaining = SIZE;
        while remaining > 0 {
            let n = BLOCK_BYTES.min(remaining as usize);
            input.read_exact(&mut block[..n]).unwrap();
            remaining -= n as u64;
            let tag = if remaining == 0 { 3 } else { 0 };
            let mut clen = 0u64;
            sodium::crypto_secretstream_xchacha20poly1305_push(
                &mut state,
                cipher.as_mut_ptr(),
                &mut clen,
                block.as_ptr(),
                n as u64,
                std::ptr::null(),
                0,
                tag,
            );
            output.write_all(&cipher[..clen as usize]).unwrap();
        }
    }
}

/// In the child: encrypt the file with `which` into a discarding writer; print the seconds.
fn child(which: &str, path: &str) {
    let mut input = std::io::BufReader::new(fs::File::open(path).unwrap());
    let mut sink = std::io::sink();
    let start = Instant::now();
    match which {
        "single-pass" => {
            // As in the upload: the file itself (no BufReader), read out in ureq's 16 KiB pieces.
            let ak = AccessKey::generate().unwrap();
            let file = fs::File::open(path).unwrap();
            let mut reader = file_crypto::EncryptingReader::new(&ak, file, Some(SIZE)).unwrap();
            let mut piece = vec![0u8; 16 * 1024];
            loop {
                let n = reader.read(&mut piece).unwrap();
                if n == 0 {
                    break;
                }
                sink.write_all(&piece[..n]).unwrap();
            }
        }
        "checksum-first" => {
            let ak = AccessKey::generate().unwrap();
            file_crypto::encrypt_stream(&ak, &mut input, &mut sink, &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
        }
        "md5" => {
            let mut md5 = crypto::Md5::default();
            let mut block = vec![0u8; BLOCK_BYTES];
            loop {
                let n = input.read(&mut block).unwrap();
                if n == 0 {
                    break;
                }
                md5.update(&block[..n]);
            }
            std::hint::black_box(md5.finish_base64());
        }
        _ => raw_encrypt(&mut input, &mut sink),
    }
    println!("{}", start.elapsed().as_secs_f64());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], &args[3]);
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let hwm = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string();
        eprintln!("{hwm}");
        return;
    }
    common::use_release_server();
    let path = std::env::temp_dir().join(format!("toz-bench-{}.bin", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let chunk = crypto::random_bytes(1024 * 1024);
        for _ in 0..(SIZE / chunk.len() as u64) {
            f.write_all(&chunk).unwrap();
        }
    }
    let path_s = path.to_str().unwrap().to_string();
    let variants = ["raw", "single-pass", "checksum-first", "md5"];
    let mut results: Vec<(&str, f64, f64)> = Vec::new();
    for _ in 0..3 {
        for which in variants {
            let exe = std::env::current_exe().unwrap();
            let out = Command::new(&exe)
                .args(["--child", which, &path_s])
                .output()
                .unwrap();
            assert!(out.status.success());
            let secs: f64 = String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            let hwm_kib: f64 = String::from_utf8(out.stderr)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            results.push((which, secs, hwm_kib / 1024.0));
        }
    }
    let best = |w: &str| {
        results
            .iter()
            .filter(|r| r.0 == w)
            .map(|r| (r.1, r.2))
            .fold((f64::MAX, 0.0f64), |a, b| (a.0.min(b.0), a.1.max(b.1)))
    };
    let mib = SIZE as f64 / (1024.0 * 1024.0);
    let (raw_s, _) = best("raw");
    println!("| 256 MiB file | throughput | toz/raw | peak RSS |");
    println!("|---|---|---|---|");
    for (which, label) in [
        ("raw", "raw libsodium secretstream"),
        (
            "single-pass",
            "toz v3 encryption, single pass (the toz-server upload)",
        ),
        (
            "checksum-first",
            "toz v3 encryption with the MD5 Tozny's protocol announces",
        ),
        ("md5", "MD5 alone over the same file"),
    ] {
        let (secs, rss) = best(which);
        println!(
            "| {label} | {:.0} MiB/s | {:.2}x | {rss:.1} MiB |",
            mib / secs,
            raw_s / secs
        );
    }

    upload_table(&path, mib);
    fs::remove_file(&path).unwrap();
}

/// Whole `write_file` calls to a local toz-server, each way, alternating, best of three.
fn upload_table(path: &std::path::Path, mib: f64) {
    let server = common::TestServer::start();
    server.create_account("bench@example.com");
    let token = server.create_token("bench@example.com", &[]);
    let creds = register(&server.url, &token, "bench", false, &HttpOptions::default())
        .unwrap()
        .credentials;
    let client = |single_pass_uploads| {
        let options = HttpOptions {
            single_pass_uploads,
            ..Default::default()
        };
        Client::new(creds.clone(), &options).unwrap()
    };
    let (single, checksum_first) = (client(true), client(false));
    let mut best = [f64::MAX; 2];
    for _ in 0..3 {
        for (i, c) in [&single, &checksum_first].into_iter().enumerate() {
            let start = Instant::now();
            let rec = c
                .write_file("bench", path, Default::default(), &mut |_, _, _| {
                    ControlFlow::Continue(())
                })
                .unwrap();
            best[i] = best[i].min(start.elapsed().as_secs_f64());
            // Keeps the server's disk from filling up over the runs.
            c.delete_record(rec.meta.record_id.as_deref().unwrap(), None)
                .unwrap();
        }
    }
    println!();
    println!(
        "| 256 MiB upload to toz-server (SQLite, loopback) | throughput | vs checksum first |"
    );
    println!("|---|---|---|");
    println!(
        "| single pass | {:.0} MiB/s | {:.2}x |",
        mib / best[0],
        best[1] / best[0]
    );
    println!(
        "| checksum first (Tozny's protocol) | {:.0} MiB/s | 1.00x |",
        mib / best[1]
    );
}
