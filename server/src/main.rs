//! toz-server: a self-hosted server speaking the TozStore (E3DB) protocol.

mod blobs;
mod cli;
mod config;
mod eacp;
mod http;
mod ids;
mod mail;
mod matching;
mod ops;
mod secrets;
mod store;
mod time;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use cli::{AccountCommand, Cli, Command, ServeArgs, TokenCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("toz-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Account(AccountCommand::Create(a)) => cli::account_create(a).await,
            Command::Token(TokenCommand::Create(a)) => cli::token_create(a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("toz-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(args.log_level)
        .with_target(false)
        .with_ansi(ansi)
        .init();
    if let Some(url) = &args.public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err("--public-url must start with http:// or https://".into());
    }
    let (store, blobs) = config::open_serving(
        &args.db.database,
        args.db.options(),
        args.blob_dir.as_deref(),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The first stdout line is part of the contract: tests and scripts read the port from it.
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(backend = store.backend(), blobs = %blobs.describe(), %addr, "toz-server started");

    let config = http::HttpConfig {
        body_limit: args.max_body_mib * 1024 * 1024,
        file_url_secs: args.file_url_secs,
        public_url: args.public_url.clone(),
        ..Default::default()
    };
    let state = http::AppState {
        store,
        blobs: Arc::new(blobs),
        config: Arc::new(config),
        mailer: Arc::new(mail::Mailer::new(args.mail_command.clone())),
    };
    tokio::spawn(housekeeping(state.clone()));
    let app = http::service(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("toz-server stopped");
    Ok(())
}

/// Every minute: expired tokens, nonces, notes and download URLs, and abandoned uploads. At start
/// and every hour: blob files no row refers to (left by a crash between writing a blob and
/// recording it), once they are an hour old.
async fn housekeeping(state: http::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    for round in 0u64.. {
        tick.tick().await;
        if let Err(e) = state.store.purge_expired(time::now_micros()).await {
            tracing::warn!(error = ?e, "could not purge expired tokens, nonces and notes");
        }
        http::files::purge_abandoned(&state).await;
        if round % 60 == 0 {
            let grace = std::time::Duration::from_secs(3600);
            match state.blobs.sweep(state.store.as_ref(), grace).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "removed orphaned blob files"),
                Err(e) => tracing::warn!(error = %e, "could not sweep the blob directory"),
            }
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before the process exits.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
