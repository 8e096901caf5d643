//! `/buildinfo` for axum 0.8 (feature `axum`): a [`Router`] to merge. Behaviour: [`crate::serve`].
//!
//! ```no_run
//! let app: axum::Router = axum::Router::new().merge(profile_info::axum::router());
//! ```
//!
//! [`router`] serves the document `#[profile_info::main]` set and panics without it. A handler's
//! unit test, or a library, has no such `main`: give the document with [`router_with`], or use
//! [`try_router_with`] where a missing document should be an error.
//!
//! ```
//! use profile_info::serve::Config;
//!
//! // In a test: this test binary's own document.
//! let app: axum::Router = profile_info::axum::router_with(&Config::new().info(profile_info::build_info!()));
//! assert!(profile_info::axum::try_router_with::<()>(&Config::new()).is_err(), "no #[profile_info::main] here");
//! ```
//!
//! `build_info!()` expanded in your crate is its document in `main` and in its tests alike, so
//! the same router builds in both, and a handler's unit test goes through it:
//!
//! ```
//! fn app() -> axum::Router {
//!     let build = profile_info::serve::Config::new().info(profile_info::build_info!());
//!     axum::Router::new().merge(profile_info::axum::router_with(&build)) // .route(…) your own
//! }
//!
//! #[cfg(test)]
//! mod tests {
//!     use axum::{body::Body, http::Request};
//!     use tower::ServiceExt; // dev-dependency: tower = { version = "0.5", features = ["util"] }
//!
//!     #[tokio::test]
//!     async fn buildinfo_answers() {
//!         let res = super::app().oneshot(Request::get("/buildinfo").body(Body::empty()).unwrap()).await.unwrap();
//!         assert_eq!(res.status(), 200); // in a test the document says "crate_type": "test"
//!     }
//! }
//! ```

use crate::serve::{Config, NoDocument};
use crate::tower::BuildInfoService;
use axum::Router;

/// `/buildinfo` with every section, for the document of [`crate::current()`].
///
/// # Panics
///
/// Without `#[profile_info::main]` on `main` (a unit test, a library): see
/// [`Config::endpoint`]. There, use [`router_with`] with [`Config::info`], or
/// [`try_router_with`].
#[inline]
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    router_with(&Config::default())
}

/// The endpoint at [`Config::mount_path`] with the sections `config` turns on:
/// `router_with(&Config::new().path("/internal/build").runtime(false))`.
///
/// # Panics
///
/// When `config` names no document and `main` has no `#[profile_info::main]`: see
/// [`Config::endpoint`].
#[inline]
pub fn router_with<S: Clone + Send + Sync + 'static>(config: &Config) -> Router<S> {
    try_router_with(config).unwrap_or_else(|e| panic!("{e}"))
}

/// [`router_with`], or [`NoDocument`] instead of a panic.
#[inline]
pub fn try_router_with<S: Clone + Send + Sync + 'static>(config: &Config) -> Result<Router<S>, NoDocument> {
    // Every method goes to the service, which answers 405 itself with the right `Allow`.
    Ok(Router::new().route_service(config.mount_path(), BuildInfoService::try_with_config(config)?))
}
