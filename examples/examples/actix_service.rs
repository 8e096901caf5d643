//! `/buildinfo` and `/metrics` with actix-web 4:
//!
//! ```sh
//! cargo run --release --example actix_service      # 127.0.0.1:$PORT, default 3000
//! curl -s localhost:3000/buildinfo
//! ```
//!
//! `#[profile_info::main(log)]` prints the build summary on stderr at startup (this program
//! installs no tracing subscriber; see the `service` example for the structured event).

use actix_web::{web, App, HttpResponse, HttpServer};

#[profile_info::main(log)]
fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| std::io::Error::other(format!("PORT={port} is not a port number")))?,
        Err(_) => 3000,
    };
    let info = profile_info::current().expect("set by #[profile_info::main]");
    let metrics: &'static str = profile_info::prometheus::text(info, "profile_info_examples").leak();
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new().configure(profile_info::actix::configure).route(
                "/metrics",
                web::get().to(move || async move {
                    HttpResponse::Ok().content_type(profile_info::prometheus::CONTENT_TYPE).body(metrics)
                }),
            )
        })
        .bind(("127.0.0.1", port))?;
        eprintln!("listening on http://{}", server.addrs()[0]);
        // actix-web stops gracefully on Ctrl-C and SIGTERM by itself.
        server.run().await
    })
}
