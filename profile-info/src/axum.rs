//! `/buildinfo` for axum 0.8 (feature `axum`): a [`Router`] to merge. Behaviour: [`crate::serve`].
//!
//! ```no_run
//! let app: axum::Router = axum::Router::new().merge(profile_info::axum::router());
//! ```

use crate::serve::Config;
use crate::tower::BuildInfoService;
use axum::Router;

/// `/buildinfo` with every section, for the document of [`crate::current()`].
///
/// # Panics
///
/// Without `#[profile_info::main]` on `main`: see [`Config::endpoint`].
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    router_with(&Config::default())
}

/// The endpoint at [`Config::mount_path`] with the sections `config` turns on:
/// `router_with(&Config::new().path("/internal/build").runtime(false))`.
pub fn router_with<S: Clone + Send + Sync + 'static>(config: &Config) -> Router<S> {
    // Every method goes to the service, which answers 405 itself with the right `Allow`.
    Router::new().route_service(config.mount_path(), BuildInfoService::with_config(config))
}
