//! libtoz against a local toz-server (SQLite), side by side in one run: registrations per
//! second, write+read round trips per second of a 10-field record with 1 and 16 threads sharing
//! one client handle, and the client-side CPU per operation (this process's user+system CPU time
//! divided by operations; the server is another process, so none of its time is counted).
//!
//! Run: `cargo build --release -p toz-server && cargo bench --bench client_roundtrip`
//! (TOZ_SERVER_BIN overrides the server binary; default target/release/toz-server).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};
use toz::sdk::backup::register;
use toz::sdk::http::HttpOptions;
use toz::sdk::{Client, wire};

/// (user, system) CPU seconds of this process so far.
fn cpu_seconds() -> (f64, f64) {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(usage.ru_utime), t(usage.ru_stime))
}

/// CPU µs (user, system) per operation since `start`.
fn cpu_per_op(start: (f64, f64), ops: f64) -> (f64, f64) {
    let now = cpu_seconds();
    ((now.0 - start.0) / ops * 1e6, (now.1 - start.1) / ops * 1e6)
}

fn record() -> Map<String, Value> {
    (0..10)
        .map(|i| (format!("f{i}"), Value::String("x".repeat(100))))
        .collect()
}

/// Runs `ops_per_thread` write+read round trips on each of `threads` threads sharing `client`;
/// returns (round trips per second, client CPU µs (user, system) per operation, i.e. per write
/// or per read).
fn round_trips(client: &Arc<Client>, threads: usize, ops_per_thread: usize) -> (f64, (f64, f64)) {
    let cpu = cpu_seconds();
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let client = Arc::clone(client);
            std::thread::spawn(move || {
                let data = record();
                for _ in 0..ops_per_thread {
                    let rec = client
                        .write_record("bench", &data, wire::StringMap::new())
                        .unwrap();
                    let back = client
                        .read_record(rec.meta.record_id.as_deref().unwrap(), None)
                        .unwrap();
                    assert_eq!(back.data.len(), 10);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let total = (threads * ops_per_thread) as f64;
    (total / elapsed, cpu_per_op(cpu, 2.0 * total))
}

/// The same number of plain HTTP requests without libtoz: a ureq agent reading one stored record
/// with a bearer token. Its CPU per request is what any HTTP client pays on loopback, so
/// subtracting it from libtoz's leaves the cost of libtoz itself.
fn raw_http_cpu(url: &str, token: &str, record_id: &str, requests: usize) -> (f64, f64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let target = format!("{url}/v1/storage/records/{record_id}");
    let cpu = cpu_seconds();
    for _ in 0..requests {
        let mut response = agent
            .get(&target)
            .header("authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        assert_eq!(response.status(), 200);
        let _ = response.body_mut().read_to_vec().unwrap();
    }
    cpu_per_op(cpu, requests as f64)
}

fn main() {
    common::use_release_server();
    let server = common::TestServer::start();
    server.create_account("bench@example.com");
    let token = server.create_token("bench@example.com", &["--unlimited"]);
    let options = HttpOptions::default();

    let n = 500;
    let cpu = cpu_seconds();
    let start = Instant::now();
    let mut last = None;
    for i in 0..n {
        last = Some(register(&server.url, &token, &format!("bench-{i}"), false, &options).unwrap());
    }
    let reg_rate = n as f64 / start.elapsed().as_secs_f64();
    let reg_cpu = cpu_per_op(cpu, n as f64);

    let creds = last.unwrap().credentials;
    let client = Arc::new(Client::new(creds.clone(), &options).unwrap());
    round_trips(&client, 1, 50); // warm up: access key created and cached, connections pooled
    let (rt1, cpu1) = round_trips(&client, 1, 3000);
    let (rt16, cpu16) = round_trips(&client, 16, 200);

    // Baseline: plain HTTP reads of one record with a token fetched by hand.
    let record = client
        .write_record("bench", &record(), wire::StringMap::new())
        .unwrap();
    let token_response = ureq::post(format!("{}/v1/auth/token", server.url))
        .header(
            "authorization",
            format!(
                "Basic {}",
                toz::sdk::crypto::b64std_encode(
                    format!("{}:{}", creds.api_key_id, creds.api_secret).as_bytes()
                )
            ),
        )
        .content_type("application/x-www-form-urlencoded")
        .send("grant_type=client_credentials")
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let bearer: wire::TokenResponse = serde_json::from_str(&token_response).unwrap();
    let raw = raw_http_cpu(
        &server.url,
        &bearer.access_token,
        record.meta.record_id.as_deref().unwrap(),
        6000,
    );

    let row = |what: &str, rate: f64, cpu: (f64, f64)| {
        println!(
            "| {what} | {rate:.0} /s | {:.0} µs | {:.0} µs | {:.0} µs |",
            cpu.0,
            cpu.1,
            cpu.0 + cpu.1 - raw.0 - raw.1
        );
    };
    println!(
        "| operation | rate | client user CPU / op | client system CPU / op | minus a plain HTTP request |"
    );
    println!("|---|---|---|---|---|");
    row(
        "registration (keys generated locally, no backup)",
        reg_rate,
        reg_cpu,
    );
    row(
        "write or read, 10 × 100 B fields, 1 thread",
        2.0 * rt1,
        cpu1,
    );
    row(
        "write or read, 10 × 100 B fields, 16 threads, one client",
        2.0 * rt16,
        cpu16,
    );
    println!(
        "| plain HTTP GET of the same record (ureq, no libtoz) | | {:.0} µs | {:.0} µs | 0 |",
        raw.0, raw.1
    );
}
