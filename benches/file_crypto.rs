//! Large-file encryption: toz's v3 file format (streamed secretstream) vs raw libsodium
//! secretstream over the same 256 MiB input, side by side, plus the peak memory (max RSS) of
//! each, measured in a child process so that setup does not count.
//!
//! Run: `cargo bench --bench file_crypto` (prints the table of docs/benchmarks.md).

use std::fs;
use std::io::{Read, Write};
use std::process::Command;

use std::time::Instant;

use libsodium_sys as sodium;
use toz::sdk::file_crypto::{self, BLOCK_BYTES};
use toz::sdk::{AccessKey, crypto};

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
        "toz" => {
            let ak = AccessKey::generate().unwrap();
            file_crypto::encrypt_stream(&ak, &mut input, &mut sink, &mut |_| {}).unwrap();
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
    let path = std::env::temp_dir().join(format!("toz-bench-{}.bin", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let chunk = crypto::random_bytes(1024 * 1024);
        for _ in 0..(SIZE / chunk.len() as u64) {
            f.write_all(&chunk).unwrap();
        }
    }
    let path_s = path.to_str().unwrap().to_string();
    let mut results: Vec<(&str, f64, f64)> = Vec::new();
    for _ in 0..3 {
        for which in ["raw", "toz", "md5"] {
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
    fs::remove_file(&path).unwrap();
    let best = |w: &str| {
        results
            .iter()
            .filter(|r| r.0 == w)
            .map(|r| (r.1, r.2))
            .fold((f64::MAX, 0.0f64), |a, b| (a.0.min(b.0), a.1.max(b.1)))
    };
    let (raw_s, raw_rss) = best("raw");
    let (toz_s, toz_rss) = best("toz");
    let (md5_s, md5_rss) = best("md5");
    let mib = SIZE as f64 / (1024.0 * 1024.0);
    println!("| 256 MiB file | throughput | toz/raw | peak RSS |");
    println!("|---|---|---|---|");
    println!(
        "| raw libsodium secretstream | {:.0} MiB/s | 1.00x | {raw_rss:.1} MiB |",
        mib / raw_s
    );
    println!(
        "| toz v3 file encryption (with the upload checksum) | {:.0} MiB/s | {:.2}x | {toz_rss:.1} MiB |",
        mib / toz_s,
        raw_s / toz_s
    );
    println!(
        "| MD5 alone over the same file (the checksum the upload needs) | {:.0} MiB/s | {:.2}x | {md5_rss:.1} MiB |",
        mib / md5_s,
        raw_s / md5_s
    );
}
