//! A real toz-server on loopback for integration tests: started on a free port with a fresh
//! SQLite database, killed when dropped. No mocks.

#![allow(dead_code)]

mod serve;

use std::path::PathBuf;
use std::process::{Child, Command};

pub use serve::spawn_serve;

use toz::sdk::Credentials;

/// The toz-server binary: `TOZ_SERVER_BIN`, else the workspace's debug build. Tests fail (never
/// skip) when it is missing: run `cargo build -p toz-server` first (the test scripts do).
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TOZ_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = target.join("debug").join("toz-server");
    assert!(
        path.exists(),
        "toz-server binary not found at {}: run `cargo build -p toz-server` or set TOZ_SERVER_BIN",
        path.display()
    );
    path
}

/// For benchmarks, which measure a release server: unless TOZ_SERVER_BIN is set, it becomes
/// target/release/toz-server (`cargo build --release -p toz-server` first).
pub fn use_release_server() {
    if std::env::var_os("TOZ_SERVER_BIN").is_none() {
        let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/toz-server");
        // Called first thing in a benchmark's main, before any thread exists.
        unsafe { std::env::set_var("TOZ_SERVER_BIN", bin) };
    }
}

/// A running server and its database.
pub struct TestServer {
    child: Option<Child>,
    dir: PathBuf,
    pub database: String,
    pub url: String,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with a free port and a new SQLite database.
    pub fn start() -> TestServer {
        let dir = std::env::temp_dir().join(format!(
            "toz-test-{}-{}",
            std::process::id(),
            toz::sdk::crypto::random_uuid_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let database = format!("sqlite://{}/toz.db", dir.display());
        let mut server = TestServer {
            child: None,
            dir,
            database,
            url: String::new(),
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let (child, url) = spawn_serve(&server_binary(), &self.database, &[]);
        self.url = url;
        self.child = Some(child);
    }

    /// Kills the server (as a crash would) without deleting its database.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Runs a toz-server CLI command against this server's database; returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(server_binary())
            .args(args)
            .args(["--database", &self.database])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "toz-server {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Creates an account; returns its backup client's credentials.
    pub fn create_account(&self, email: &str) -> Credentials {
        let mut creds =
            Credentials::from_json(&self.cli(&["account", "create", "--email", email])).unwrap();
        creds.api_url = self.url.clone();
        creds
    }

    /// Creates a registration token for the account; `extra` are flags such as `--uses 1`.
    pub fn create_token(&self, email: &str, extra: &[&str]) -> String {
        let mut args = vec!["token", "create", "--email", email];
        args.extend_from_slice(extra);
        self.cli(&args).trim().to_string()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
