//! toz-loadgen: a loopback load generator for toz-server (docs/benchmarks.md "## toz-server").
//!
//! For each concurrency level it registers that many clients (one per thread, each with its own
//! keep-alive connection), then runs three bounded phases: record writes, record reads and v1
//! queries. Each phase stops after `--requests` requests or `--seconds`, whichever comes first,
//! and reports throughput and p50/p99 latency. Record bodies are encrypted once per client up
//! front, so the figures measure the server, not client-side crypto. Loopback only: the URL must
//! point at 127.0.0.0/8 or localhost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use toz::sdk::{AccessKey, Credentials, crypto, fields};

struct Args {
    url: String,
    token: String,
    clients: Vec<usize>,
    requests: usize,
    seconds: u64,
    label: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        token: String::new(),
        clients: vec![1, 16, 64],
        requests: 20_000,
        seconds: 10,
        label: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = value()?,
            "--token" => a.token = value()?,
            "--clients" => {
                a.clients = value()?
                    .split(',')
                    .map(|s| s.parse().map_err(|_| "bad --clients".to_string()))
                    .collect::<Result<_, _>>()?
            }
            "--requests" => a.requests = value()?.parse().map_err(|_| "bad --requests")?,
            "--seconds" => a.seconds = value()?.parse().map_err(|_| "bad --seconds")?,
            "--label" => a.label = value()?,
            _ => {
                return Err(format!(
                    "unknown flag {flag}; usage: toz-loadgen --url URL --token REGISTRATION_TOKEN [--clients 1,16,64] [--requests N] [--seconds S] [--label TEXT]"
                ));
            }
        }
    }
    let host = a
        .url
        .trim_start_matches("http://")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    if !(host.starts_with("127.") || host == "localhost") {
        return Err("--url must be a loopback http:// address".into());
    }
    if a.token.is_empty() {
        return Err("--token is required".into());
    }
    Ok(a)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

struct Worker {
    agent: ureq::Agent,
    url: String,
    auth: String,
    id: String,
    record_type: String,
    body: String,
    records: Vec<String>,
}

fn post(
    agent: &ureq::Agent,
    url: &str,
    auth: Option<&str>,
    body: &str,
    ct: &str,
) -> Result<(u16, Value), String> {
    let mut req = agent.post(url).header("Content-Type", ct);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let mut resp = req.send(body).map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

impl Worker {
    fn new(url: &str, token: &str, n: usize) -> Result<Worker, String> {
        let agent = agent();
        let creds = Credentials::generate(url).map_err(|e| e.to_string())?;
        let reg = json!({"token": token, "client": {"name": format!("loadgen-{n}"), "public_key": {"curve25519": creds.public_key}, "signing_key": {"ed25519": creds.public_signing_key}}});
        let (s, body) = post(
            &agent,
            &format!("{url}/v1/account/e3db/clients/register"),
            None,
            &reg.to_string(),
            "application/json",
        )?;
        if s != 201 {
            return Err(format!("register failed with {s}"));
        }
        let id = body["client_id"].as_str().unwrap_or_default().to_string();
        let basic = format!(
            "Basic {}",
            crypto::b64std_encode(
                format!(
                    "{}:{}",
                    body["api_key_id"].as_str().unwrap_or(""),
                    body["api_secret"].as_str().unwrap_or("")
                )
                .as_bytes()
            )
        );
        let (s, tok) = post(
            &agent,
            &format!("{url}/v1/auth/token"),
            Some(&basic),
            "grant_type=client_credentials",
            "application/x-www-form-urlencoded",
        )?;
        if s != 200 {
            return Err(format!("token failed with {s}"));
        }
        let auth = format!("Bearer {}", tok["access_token"].as_str().unwrap_or(""));
        let record_type = "loadgen".to_string();
        let ak = AccessKey::generate().map_err(|e| e.to_string())?;
        let eak = ak.encrypt_for(
            &creds.box_public().map_err(|e| e.to_string())?,
            &*creds.box_secret().map_err(|e| e.to_string())?,
        );
        let path = format!("{url}/v1/storage/access_keys/{id}/{id}/{id}/{record_type}");
        let mut r = agent
            .put(&path)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(json!({"eak": eak}).to_string())
            .map_err(|e| e.to_string())?;
        let _ = r.body_mut().read_to_string();
        let mut data = serde_json::Map::new();
        for f in ["name", "email", "note"] {
            data.insert(f.into(), Value::String("x".repeat(64)));
        }
        let enc = fields::encrypt_data(&ak, &data).map_err(|e| e.to_string())?;
        let body = json!({"meta": {"writer_id": id, "user_id": id, "type": record_type, "plain": {"bench": "1"}}, "data": enc}).to_string();
        Ok(Worker {
            agent,
            url: url.to_string(),
            auth,
            id,
            record_type,
            body,
            records: Vec::new(),
        })
    }

    fn write(&mut self) -> bool {
        match post(
            &self.agent,
            &format!("{}/v1/storage/records", self.url),
            Some(&self.auth),
            &self.body,
            "application/json",
        ) {
            Ok((201, v)) => {
                self.records.push(
                    v["meta"]["record_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
                true
            }
            _ => false,
        }
    }

    fn read(&mut self, i: usize) -> bool {
        if self.records.is_empty() {
            return false;
        }
        let id = &self.records[i % self.records.len()];
        match self
            .agent
            .get(format!("{}/v1/storage/records/{id}", self.url))
            .header("Authorization", &self.auth)
            .call()
        {
            Ok(mut r) => {
                let ok = r.status().as_u16() == 200;
                ok && r.body_mut().read_to_string().is_ok()
            }
            Err(_) => false,
        }
    }

    fn query(&mut self) -> bool {
        let q = json!({"count": 10, "include_data": true, "content_types": [self.record_type], "writer_ids": [self.id]}).to_string();
        matches!(
            post(
                &self.agent,
                &format!("{}/v1/storage/search", self.url),
                Some(&self.auth),
                &q,
                "application/json"
            ),
            Ok((200, _))
        )
    }
}

#[derive(Clone, Copy)]
enum Op {
    Write,
    Read,
    Query,
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

fn run_phase(
    workers: Vec<Worker>,
    op: Op,
    requests: usize,
    seconds: u64,
) -> (Vec<Worker>, Outcome) {
    let budget = Arc::new(AtomicUsize::new(requests));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|mut w| {
            let budget = budget.clone();
            std::thread::spawn(move || {
                let (mut lat, mut errors, mut i) = (Vec::new(), 0usize, 0usize);
                while Instant::now() < deadline
                    && budget
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
                        .is_ok()
                {
                    let t = Instant::now();
                    let ok = match op {
                        Op::Write => w.write(),
                        Op::Read => w.read(i.wrapping_mul(7919)),
                        Op::Query => w.query(),
                    };
                    lat.push(t.elapsed());
                    errors += usize::from(!ok);
                    i += 1;
                }
                (w, lat, errors)
            })
        })
        .collect();
    let mut workers = Vec::new();
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (w, lat, e) = h.join().expect("worker thread");
        workers.push(w);
        all.extend(lat);
        errors += e;
    }
    (
        workers,
        Outcome {
            latencies: all,
            errors,
            elapsed: start.elapsed(),
        },
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("toz-loadgen: {e}");
            std::process::exit(2);
        }
    };
    println!("| backend | clients | operation | requests | errors | req/s | p50 ms | p99 ms |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for &n in &args.clients {
        let workers: Vec<Worker> = match (0..n)
            .map(|i| Worker::new(&args.url, &args.token, i))
            .collect()
        {
            Ok(w) => w,
            Err(e) => {
                eprintln!("toz-loadgen: setup failed: {e}");
                std::process::exit(1);
            }
        };
        let mut workers = workers;
        for (name, op) in [
            ("write", Op::Write),
            ("read", Op::Read),
            ("query", Op::Query),
        ] {
            let (w, mut out) = run_phase(workers, op, args.requests, args.seconds);
            workers = w;
            out.latencies.sort();
            let count = out.latencies.len();
            println!(
                "| {} | {n} | {name} | {count} | {} | {:.0} | {:.2} | {:.2} |",
                args.label,
                out.errors,
                count as f64 / out.elapsed.as_secs_f64(),
                percentile(&out.latencies, 0.50),
                percentile(&out.latencies, 0.99)
            );
        }
    }
}
