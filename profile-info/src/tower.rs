//! `/buildinfo` as a [`tower_service::Service`] (feature `tower`), for hyper 1 (through
//! hyper-util's `TowerToHyperService`) or any tower stack. Behaviour: [`crate::serve`].
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use hyper_util::rt::{TokioExecutor, TokioIo};
//! use hyper_util::service::TowerToHyperService;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! let service = profile_info::tower::BuildInfoService::new();
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let service = TowerToHyperService::new(service);
//!     tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service));
//! }
//! # }
//! ```

use crate::serve::{Config, Endpoint, Method, NoDocument};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, IF_NONE_MATCH};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

/// Answers every request it is given as `/buildinfo` (route it to the path you want).
#[derive(Clone, Copy, Debug)]
pub struct BuildInfoService {
    endpoint: &'static Endpoint,
}

impl BuildInfoService {
    /// The document of [`crate::current()`], every section on.
    ///
    /// # Panics
    ///
    /// Without `#[profile_info::main]` on `main` (a unit test, a library): see
    /// [`Config::endpoint`]. There, use [`BuildInfoService::with_config`] with
    /// [`Config::info`], or [`BuildInfoService::try_with_config`].
    #[inline]
    pub fn new() -> Self {
        Self::with_config(&Config::default())
    }

    /// As `config` says ([`Config::mount_path`] is the router's business, not the service's).
    ///
    /// # Panics
    ///
    /// When `config` names no document and `main` has no `#[profile_info::main]`: see
    /// [`Config::endpoint`].
    #[inline]
    pub fn with_config(config: &Config) -> Self {
        BuildInfoService { endpoint: config.endpoint() }
    }

    /// [`BuildInfoService::with_config`], or [`NoDocument`] instead of a panic.
    #[inline]
    pub fn try_with_config(config: &Config) -> Result<Self, NoDocument> {
        Ok(BuildInfoService { endpoint: config.try_endpoint()? })
    }
}

impl Default for BuildInfoService {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

impl<B> tower_service::Service<Request<B>> for BuildInfoService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        ready(Ok(respond(self.endpoint, &req)))
    }
}

fn respond<B>(endpoint: &'static Endpoint, req: &Request<B>) -> Response<Full<Bytes>> {
    let headers = req.headers();
    let reply = endpoint.respond(
        Method::from_name(req.method().as_str()),
        headers.get_all(IF_NONE_MATCH).iter().map(HeaderValue::as_bytes),
        headers.get_all(ACCEPT).iter().map(HeaderValue::as_bytes),
    );
    // hyper sends no body for HEAD but takes Content-Length from the body it is given, so HEAD
    // gets an empty body and the GET length spelled out.
    let body = if reply.is_head() { Bytes::new() } else { Bytes::from_static(reply.body()) };
    let mut res = Response::new(Full::new(body));
    *res.status_mut() = StatusCode::from_u16(reply.status()).expect("200, 304 or 405");
    let map = res.headers_mut();
    // Sized once: growing the map insert by insert is a measurable share of a request
    // (`bash scripts/bench.sh http`).
    map.reserve(reply.headers().len() + 1);
    for &(name, value) in reply.headers() {
        map.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    if reply.is_head() {
        map.insert(CONTENT_LENGTH, HeaderValue::from_static(reply.content_length()));
    }
    res
}
