//! The `<prefix>_build_info` gauge (value 1, the build facts as labels) the way Prometheus users
//! expect it:
//!
//! ```text
//! # HELP app_build_info Build of this binary, from profile-info (value 1).
//! # TYPE app_build_info gauge
//! app_build_info{version="0.3.1",features="",profile="production",opt_level="3",lto="fat",codegen_units="1",panic="abort",pgo="off",strip="symbols",debuginfo="none",target="x86_64-unknown-linux-gnu",target_arch="x86_64",target_os="linux",target_env="gnu",target_cpu="x86-64-v3",target_cpu_native="false",target_level="x86-64-v3",rustc="1.95.0",revision="a4231b19b0b300a35a8f430f694f47e78f347fbe",dirty="false"} 1
//! ```
//!
//! Serve [`text`] with [`CONTENT_TYPE`], the exposition format's media type (a bare `String` or
//! `&str` goes out as `text/plain; charset=utf-8` in axum and actix-web, without the format's
//! `version`):
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use profile_info::prometheus::{text, CONTENT_TYPE};
//!
//! let metrics: &'static str = text(profile_info::build_info!(), "app").leak();
//! let app: axum::Router = axum::Router::new().route(
//!     "/metrics",
//!     axum::routing::get(move || async move { ([(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)], metrics) }),
//! );
//! # }
//! ```
//!
//! [`text`] needs no dependency; `register` (feature `prometheus-client`) and `record`
//! (feature `metrics`) put the same gauge into those crates' registries. The labels are
//! [`crate::facts::Facts`] (the labelled fields of the schema table); one that was not captured is
//! empty.
//!
//! ```
//! let info = profile_info::build_info!();
//! let text = profile_info::prometheus::text(info, "app");
//! assert!(text.contains("\napp_build_info{version=\""));
//! ```

use crate::facts::Facts;
use crate::BuildInfo;
use std::fmt::Write;

/// The `# HELP` text.
pub const HELP: &str = "Build of this binary, from profile-info (value 1).";

/// The media type of the text exposition format (version 0.0.4), for the `Content-Type` of a
/// `/metrics` answer holding [`text`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `<prefix>_build_info`, with anything the exposition format does not allow in a metric name
/// replaced by `_` (a package name like `my-app` gives `my_app_build_info`).
#[inline]
pub fn metric_name(prefix: &str) -> String {
    let mut name: String = prefix
        .chars()
        .enumerate()
        .map(
            |(i, c)| {
                if c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()) {
                    c
                } else {
                    '_'
                }
            },
        )
        .collect();
    if !name.is_empty() {
        name.push('_');
    }
    name.push_str("build_info");
    name
}

/// The gauge in the text exposition format (HELP, TYPE and the sample), ready to append to a
/// `/metrics` body.
#[inline]
pub fn text(info: &BuildInfo, prefix: &str) -> String {
    let name = metric_name(prefix);
    let mut out = format!("# HELP {name} {HELP}\n# TYPE {name} gauge\n{name}{{");
    for (i, (label, value)) in Facts::of(info).pairs().into_iter().enumerate() {
        let _ = write!(out, "{}{label}=\"{}\"", if i == 0 { "" } else { "," }, escape(value));
    }
    out.push_str("} 1\n");
    out
}

/// A label value as the exposition format wants it: `\`, `"` and newline escaped.
#[inline]
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Registers the gauge, set to 1, in a `prometheus-client` registry as `<prefix>_build_info`.
#[cfg(feature = "prometheus-client")]
#[inline]
pub fn register(registry: &mut prometheus_client::registry::Registry, info: &BuildInfo, prefix: &str) {
    use prometheus_client::metrics::{family::Family, gauge::Gauge};
    let family = Family::<Vec<(&'static str, String)>, Gauge>::default();
    let labels: Vec<(&'static str, String)> =
        Facts::of(info).pairs().into_iter().map(|(k, v)| (k, v.to_owned())).collect();
    family.get_or_create(&labels).set(1);
    // prometheus-client ends the help text with a period itself: give it the sentence without one.
    registry.register(metric_name(prefix), HELP.strip_suffix('.').unwrap_or(HELP), family);
}

/// Describes the gauge and sets it to 1 in the `metrics` crate's current recorder (install the
/// recorder, e.g. a Prometheus exporter, first).
#[cfg(feature = "metrics")]
#[inline]
pub fn record(info: &BuildInfo, prefix: &str) {
    let name = metric_name(prefix);
    metrics::describe_gauge!(name.clone(), HELP);
    let labels: Vec<metrics::Label> =
        Facts::of(info).pairs().iter().map(|&(k, v)| metrics::Label::new(k, v.to_owned())).collect();
    metrics::gauge!(name, labels).set(1.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_escapes() {
        assert_eq!(metric_name("my-app"), "my_app_build_info");
        assert_eq!(metric_name("9lives"), "_lives_build_info");
        assert_eq!(metric_name(""), "build_info");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
