//! `/buildinfo` for actix-web 4 (feature `actix`), for [`App::configure`](actix_web::App::configure).
//! Behaviour: [`crate::serve`].
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! actix_web::HttpServer::new(|| actix_web::App::new().configure(profile_info::actix::configure))
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await
//! # }
//! ```

use crate::serve::{Config, Endpoint, Method, NoDocument};
use actix_web::http::header::{HeaderName, HeaderValue, ACCEPT, IF_NONE_MATCH};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};

/// Adds `/buildinfo` with every section, for the document of [`crate::current()`].
///
/// # Panics
///
/// Without `#[profile_info::main]` on `main` (a unit test, a library): see
/// [`Config::endpoint`]. There, use [`configure_with`] with [`Config::info`], or
/// [`try_configure_with`].
#[inline]
pub fn configure(cfg: &mut ServiceConfig) {
    configure_with(&Config::default())(cfg)
}

/// Adds the endpoint at [`Config::mount_path`] with the sections `config` turns on:
/// `App::new().configure(profile_info::actix::configure_with(&Config::new().runtime(false)))`.
///
/// # Panics
///
/// When `config` names no document and `main` has no `#[profile_info::main]`: see
/// [`Config::endpoint`].
#[inline]
pub fn configure_with(config: &Config) -> impl FnOnce(&mut ServiceConfig) + Clone + 'static {
    try_configure_with(config).unwrap_or_else(|e| panic!("{e}"))
}

/// [`configure_with`], or [`NoDocument`] instead of a panic.
#[inline]
pub fn try_configure_with(config: &Config) -> Result<impl FnOnce(&mut ServiceConfig) + Clone + 'static, NoDocument> {
    let (endpoint, path) = (config.try_endpoint()?, config.mount_path().to_owned());
    // No method guard: every method reaches the handler, which answers 405 with the right `Allow`.
    Ok(move |cfg: &mut ServiceConfig| {
        cfg.route(&path, web::route().to(move |req: HttpRequest| async move { respond(endpoint, &req) }));
    })
}

#[inline]
fn respond(endpoint: &'static Endpoint, req: &HttpRequest) -> HttpResponse {
    let headers = req.headers();
    let reply = endpoint.respond(
        Method::from_name(req.method().as_str()),
        headers.get_all(IF_NONE_MATCH).map(HeaderValue::as_bytes),
        headers.get_all(ACCEPT).map(HeaderValue::as_bytes),
    );
    let mut res = HttpResponse::build(StatusCode::from_u16(reply.status()).expect("200, 304 or 405"));
    for &(name, value) in reply.headers() {
        res.insert_header((HeaderName::from_static(name), HeaderValue::from_static(value)));
    }
    // actix-web sends no body for HEAD and sets Content-Length from the body it is given.
    res.body(Bytes::from_static(reply.body()))
}
