//! An axum service that knows how it was built:
//!
//! ```sh
//! cargo run --release --example service            # PORT=8080 to move it; PORT=0 for any free port
//! curl -s localhost:3000/buildinfo                 # the document + a runtime section, as JSON
//! curl -s -H 'Accept: text/plain' localhost:3000/buildinfo
//! curl -s localhost:3000/metrics                   # profile_info_examples_build_info{…} 1
//! ```
//!
//! It logs one startup line with the build summary and stops cleanly on Ctrl-C or SIGTERM.

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;

#[profile_info::main]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();
    let info = profile_info::current().expect("set by #[profile_info::main]");
    profile_info::tracing::startup_event(info);

    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| std::io::Error::other(format!("PORT={port} is not a port number")))?,
        Err(_) => 3000,
    };
    // Rendered once: the build does not change while the process runs.
    let metrics: &'static str = profile_info::prometheus::text(info, "profile_info_examples").leak();
    let app = axum::Router::new().merge(profile_info::axum::router()).route(
        "/metrics",
        get(move || async move { ([(CONTENT_TYPE, profile_info::prometheus::CONTENT_TYPE)], metrics) }),
    );

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("shut down");
    Ok(())
}

/// Ctrl-C, or SIGTERM (what `kill`, systemd and container runtimes send).
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
