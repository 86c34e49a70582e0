//! Starting `toz-server serve` on a free loopback port and learning its URL: shared by the
//! library's test harness (tests/common) and the server's (server/tests/common, by `#[path]`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Spawns `bin serve` on 127.0.0.1 with a free port on `database` (plus `extra` flags) and waits
/// for its first line, `listening on <url>`. Returns the process and its URL.
pub fn spawn_serve(bin: &Path, database: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            database,
            "--log-level",
            "warn",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start toz-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (child, url)
}
