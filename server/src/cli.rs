//! The command line (ARCHITECTURE.md "Server contract"): `serve`, `account create`,
//! `token create`. Environment variables TOZ_LISTEN and TOZ_DATABASE_URL stand in for the flags.

use clap::{Args, Parser, Subcommand};
use toz::sdk::Credentials;
use toz::sdk::wire::{Profile, TokenPermissions};

use crate::config::{self, DEFAULT_DATABASE, DEFAULT_LISTEN, StoreOptions};
use crate::ops;
use crate::store::sqlite::SyncMode;
use crate::time::now_micros;

/// toz-server: a self-hosted TozStore (E3DB) compatible server.
#[derive(Parser, Debug)]
#[command(name = "toz-server", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage registration tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Options every command shares.
#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// sqlite://PATH (embedded) or postgres://USER@HOST/DB.
    #[arg(long, env = "TOZ_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// SQLite commit durability: normal survives a killed server, full also survives power loss.
    #[arg(long, env = "TOZ_SQLITE_SYNC", value_enum, default_value = "normal")]
    pub sqlite_sync: SyncMode,
    /// PostgreSQL connections per server process.
    #[arg(long, env = "TOZ_PG_MAX_CONNECTIONS", default_value_t = 16)]
    pub pg_max_connections: u32,
}

impl DbArgs {
    /// Store options from the flags.
    pub fn options(&self) -> StoreOptions {
        StoreOptions {
            sqlite_sync: self.sqlite_sync,
            pg_max_connections: self.pg_max_connections,
        }
    }
}

/// The database and the account (by e-mail) an account-level command acts on.
#[derive(Args, Debug)]
pub struct AccountRef {
    /// Database.
    #[command(flatten)]
    pub db: DbArgs,
    /// Account e-mail.
    #[arg(long)]
    pub email: String,
}

/// `serve` options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on the first stdout line).
    #[arg(long, env = "TOZ_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// Database.
    #[command(flatten)]
    pub db: DbArgs,
    /// error, warn, info, debug or trace.
    #[arg(long, env = "TOZ_LOG_LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
    /// Largest accepted request body in MiB (file uploads are streamed and not limited by it).
    #[arg(long, env = "TOZ_MAX_BODY_MIB", default_value_t = 8)]
    pub max_body_mib: usize,
    /// Directory for file bytes. Default: `blobs/` beside the SQLite database; on PostgreSQL,
    /// large objects in the database. Servers sharing a PostgreSQL database must share it too.
    #[arg(long, env = "TOZ_BLOB_DIR")]
    pub blob_dir: Option<std::path::PathBuf>,
    /// Base URL clients reach this server at, used in file upload and download URLs (e.g.
    /// https://toz.example.com behind a TLS proxy). Default: http:// and the request's Host.
    #[arg(long, env = "TOZ_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Lifetime in seconds of file upload and download URLs.
    #[arg(long, env = "TOZ_FILE_URL_SECS", default_value_t = 3600, value_parser = clap::value_parser!(i64).range(1..))]
    pub file_url_secs: i64,
    /// Command that sends mail (run with `sh -c`, one RFC 5322 message on its standard input),
    /// e.g. "sendmail -t -i". Needed for notes with an `email_eacp`; without it they are refused.
    #[arg(long, env = "TOZ_MAIL_COMMAND")]
    pub mail_command: Option<String>,
}

/// `account` subcommands.
#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Create an account and its backup client; prints the client's e3db.json on stdout.
    Create(AccountCreateArgs),
}

/// `account create` options.
#[derive(Args, Debug)]
pub struct AccountCreateArgs {
    /// Database and e-mail (unique) of the new account.
    #[command(flatten)]
    pub account: AccountRef,
    /// Display name of the backup client.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Company name.
    #[arg(long, default_value = "")]
    pub company: String,
    /// api_url written into the printed credentials.
    #[arg(long, env = "TOZ_PUBLIC_URL", default_value = "http://127.0.0.1:8000")]
    pub api_url: String,
}

/// `token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a registration token; prints the token alone on stdout.
    Create(TokenCreateArgs),
}

/// `token create` options.
#[derive(Args, Debug)]
pub struct TokenCreateArgs {
    /// Database and e-mail of the account the token registers clients into.
    #[command(flatten)]
    pub account: AccountRef,
    /// Display name.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Maximum number of registrations (default: unlimited).
    #[arg(long, conflicts_with = "unlimited")]
    pub uses: Option<i64>,
    /// Any number of registrations (the default).
    #[arg(long)]
    pub unlimited: bool,
    /// Lifetime, e.g. 90s, 30m, 24h, 7d (default: never expires).
    #[arg(long)]
    pub expires_in: Option<String>,
    /// Client types the token may register (repeatable; default any).
    #[arg(long = "allowed-type")]
    pub allowed_types: Vec<String>,
}

/// Parses `90`, `90s`, `30m`, `24h`, `7d` into seconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("invalid duration {text:?}"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?} (use s, m, h or d)"
            ));
        }
    };
    if n <= 0 {
        return Err("duration must be positive".into());
    }
    n.checked_mul(mult)
        .ok_or_else(|| "duration too large".into())
}

/// `account create`.
pub async fn account_create(a: AccountCreateArgs) -> Result<(), String> {
    let store = config::open_store(&a.account.db.database, a.account.db.options()).await?;
    // The keys are made here, in the operator's process; only the public halves reach the store.
    let mut creds = Credentials::generate(&a.api_url).map_err(|e| e.to_string())?;
    let profile = Profile {
        name: a.name.clone(),
        email: a.account.email.clone(),
        ..Default::default()
    };
    let created = ops::create_account(
        store.as_ref(),
        profile,
        &a.company,
        "free0",
        &creds.public_key,
        Some(&creds.public_signing_key),
    )
    .await
    .map_err(|e| format!("could not create account: {e:?}"))?;
    creds.client_id = created.queen.id.clone();
    creds.api_key_id = created.queen.api_key_id.clone();
    creds.api_secret = created.api_secret.clone();
    println!("{}", creds.to_json().as_str());
    eprintln!(
        "created account {} ({}) with backup client {}",
        created.account.id, created.account.email, created.queen.id
    );
    Ok(())
}

/// `token create`.
pub async fn token_create(a: TokenCreateArgs) -> Result<(), String> {
    let store = config::open_store(&a.account.db.database, a.account.db.options()).await?;
    let email = a.account.email.trim().to_lowercase();
    let account = store
        .account_by_email(&email)
        .await
        .map_err(|e| format!("{e:?}"))?
        .ok_or_else(|| {
            format!("no account with e-mail {email}; create it with `toz-server account create`")
        })?;
    let uses = match a.uses {
        Some(n) if n >= 1 => n,
        Some(_) => return Err("--uses must be at least 1".into()),
        None => 0,
    };
    let expires_at = a
        .expires_in
        .as_deref()
        .map(parse_duration)
        .transpose()?
        .map(|s| now_micros() + s * 1_000_000);
    let perms = TokenPermissions {
        enabled: true,
        one_time: uses == 1,
        allowed_types: a.allowed_types,
    };
    let (raw, _) = ops::create_token(
        store.as_ref(),
        &account.id,
        &a.name,
        &perms,
        uses,
        expires_at,
    )
    .await
    .map_err(|e| format!("could not create token: {e:?}"))?;
    println!("{raw}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::parse_duration("24h"), Ok(86_400));
        assert_eq!(super::parse_duration("90"), Ok(90));
        assert_eq!(super::parse_duration("7d"), Ok(604_800));
        assert!(super::parse_duration("x").is_err());
        assert!(super::parse_duration("0s").is_err());
        assert!(super::parse_duration("5w").is_err());
    }
}
