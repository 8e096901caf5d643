//! `/buildinfo` without a framework: the one implementation behind `profile_info::axum`,
//! `profile_info::actix` and `profile_info::tower`, usable as is for any other server.
//!
//! # The response
//!
//! `GET` answers `200`, `application/json`, with
//!
//! ```json
//! {"build":<the document>,"runtime":{"arch":"x86_64","level":"x86-64-v3","features":["avx",…],
//!  "cpu_supported":true,"missing":[],"started_at":"2026-11-24T22:58:09Z"}}
//! ```
//!
//! where `<the document>` is, byte for byte, the JSON `--build-info=json` prints (produced at
//! compile time; rendered once for a document made at run time and given to [`Config::info`]),
//! and `runtime` is computed once per process: the host's x86-64 level (`null` on aarch64, whose
//! features come from the kernel's capability bits) and usable features
//! ([`crate::cpu::host()`]); `cpu_supported`, whether the host has every CPU feature this binary
//! was compiled for, and `missing`, those it lacks ([`crate::cpu::missing_for`], each
//! `{"feature":"avx512f","lack":"cpu"|"os-state"}`) — CPU features only, as far as profile-info's
//! feature table knows them: not the OS, the C library or anything else a program needs to run;
//! and when the program started (UTC, RFC 3339, whole seconds). On Linux that is the kernel's
//! start of the process, or the executable's modification time when that is later: `exec` keeps
//! the start of the process it replaces, and `cargo run` replaces cargo with the program, so the
//! process's own start is cargo's, before its build. Elsewhere it is when the endpoint was first
//! built. Nothing else: no host or user names, environment values
//! or paths. [`Config::runtime`]`(false)` leaves the `runtime` key out.
//!
//! [`Config::dependencies`]`(true)` adds `"dependencies"`: the packages the binary was built from,
//! as its `.dep-v0` section lists them (cargo-auditable's JSON, `{"packages":[…],"format":1}`;
//! `null` when the binary has no list). It is off by default: exact dependency versions tell
//! whoever can reach the endpoint which known vulnerabilities to try, while the scanners that need
//! them read the file (`cargo audit bin`, Trivy, Grype, Syft, `cargo profile-info inspect`).
//!
//! `Accept` preferring `text/plain` (by q-value, over `application/json`, every `Accept` line
//! counted) gets the text rendering (`--build-info`), followed by `host:` and `started:` lines
//! when the runtime section is on; [`Config::text`]`(false)` always answers JSON.
//!
//! Each representation has a strong `ETag` (a hash of its bytes, computed once); a matching
//! `If-None-Match` (a list, weak tags or `*`) answers `304` with no body; `HEAD` answers the
//! headers of `GET`; any other method answers `405` with `Allow: GET, HEAD`. Every answer carries
//! `Cache-Control: no-cache` and `X-Content-Type-Options: nosniff`, and `Vary: Accept` when the
//! text rendering is on.
//!
//! Bodies and headers are built once per process and [`Config`] (kept for the life of the
//! process), so answering a request allocates nothing and serialises nothing.
//!
//! ```
//! use profile_info::serve::{Config, Method};
//!
//! let endpoint = Config::new().info(profile_info::build_info!()).endpoint();
//! let reply = endpoint.respond(Method::Get, [], [b"text/html, application/json".as_slice()]);
//! assert_eq!(reply.status(), 200);
//! let body: &str = std::str::from_utf8(reply.body()).unwrap();
//! assert!(body.starts_with(r#"{"build":{"schema":3,"#));
//! ```
//!
//! # Without `#[profile_info::main]`
//!
//! The endpoint serves [`crate::current()`]'s document unless [`Config::info`] names one, and
//! `current()` is set only by `#[profile_info::main]` on the binary's `main`. Where there is none
//! — a handler's unit test, a library, a binary without the attribute — [`Config::endpoint`],
//! `axum::router()`, `actix::configure` and `tower::BuildInfoService::new` panic on purpose: a
//! service would otherwise start and answer without the facts it was meant to expose. Each has a
//! form that cannot fail, given the document ([`Config::info`]`(profile_info::build_info!())`),
//! and one that returns [`NoDocument`] instead of panicking ([`Config::try_endpoint`],
//! `axum::try_router_with`, `actix::try_configure_with`, `tower::BuildInfoService::try_with_config`).

mod negotiate;
mod runtime;

use crate::BuildInfo;
use negotiate::{matches, prefers_text};
use runtime::Runtime;
use std::sync::Mutex;

/// Where the framework modules mount the endpoint unless told otherwise.
pub const DEFAULT_PATH: &str = "/buildinfo";

/// What to expose, and where.
#[derive(Clone, Debug)]
pub struct Config {
    path: String,
    runtime: bool,
    text: bool,
    dependencies: bool,
    info: Option<&'static BuildInfo>,
}

impl Default for Config {
    #[inline]
    fn default() -> Self {
        Config { path: DEFAULT_PATH.to_owned(), runtime: true, text: true, dependencies: false, info: None }
    }
}

impl Config {
    /// `/buildinfo`, runtime section and text rendering on, the document of
    /// [`crate::current()`].
    #[inline]
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts the endpoint at `path` (used by the framework modules; [`Endpoint`] itself answers
    /// whatever request it is given).
    #[inline]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Whether to add the `runtime` section (host CPU, whether the binary runs on it, start time).
    #[inline]
    pub fn runtime(mut self, on: bool) -> Self {
        self.runtime = on;
        self
    }

    /// Whether to add `"dependencies"`, the binary's dependency list (off by default: see
    /// [the response](self#the-response)).
    ///
    /// ```
    /// use profile_info::serve::Config;
    ///
    /// let info = profile_info::build_info!();
    /// let body = Config::new().info(info).dependencies(true).endpoint().json();
    /// // A test binary has no `#[profile_info::main]`, and so no list.
    /// assert!(body.ends_with(br#","dependencies":null}"#));
    /// assert!(!Config::new().info(info).endpoint().json().ends_with(br#","dependencies":null}"#));
    /// ```
    #[inline]
    pub fn dependencies(mut self, on: bool) -> Self {
        self.dependencies = on;
        self
    }

    /// Whether `Accept: text/plain` gets the text rendering (otherwise always JSON).
    #[inline]
    pub fn text(mut self, on: bool) -> Self {
        self.text = on;
        self
    }

    /// Serves this document instead of [`crate::current()`]'s: for programs without
    /// `#[profile_info::main]`, pass `profile_info::build_info!()` expanded in the binary crate.
    #[inline]
    pub fn info(mut self, info: &'static BuildInfo) -> Self {
        self.info = Some(info);
        self
    }

    /// The path the endpoint is mounted at.
    #[inline]
    pub fn mount_path(&self) -> &str {
        &self.path
    }

    /// The endpoint for this configuration, built on first use and shared by every later call
    /// with the same document and sections.
    ///
    /// # Panics
    ///
    /// When no document was given with [`Config::info`] and `main` has no
    /// `#[profile_info::main]` (so [`crate::current()`] is `None`): in a unit test or a library,
    /// give the document, or use [`Config::try_endpoint`].
    #[inline]
    pub fn endpoint(&self) -> &'static Endpoint {
        self.try_endpoint().unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Config::endpoint`], or [`NoDocument`] when there is no document to serve.
    ///
    /// ```
    /// // A test binary has no `#[profile_info::main]`:
    /// assert!(profile_info::serve::Config::new().try_endpoint().is_err());
    /// let info = profile_info::build_info!();
    /// assert!(profile_info::serve::Config::new().info(info).try_endpoint().is_ok());
    /// ```
    #[inline]
    pub fn try_endpoint(&self) -> Result<&'static Endpoint, NoDocument> {
        let info = self.info.or_else(crate::current).ok_or(NoDocument)?;
        // A handful of configurations per process at most, each built once: a list is enough.
        static BUILT: Mutex<Vec<&'static Endpoint>> = Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
        let same = |e: &&&'static Endpoint| {
            std::ptr::eq(e.info, info)
                && e.runtime == self.runtime
                && e.text.is_some() == self.text
                && e.dependencies == self.dependencies
        };
        if let Some(endpoint) = built.iter().find(same) {
            return Ok(endpoint);
        }
        let endpoint: &'static Endpoint =
            Box::leak(Box::new(Endpoint::build(info, self.runtime, self.text, self.dependencies)));
        built.push(endpoint);
        Ok(endpoint)
    }
}

/// There is no document to serve: [`Config::info`] was not called and `main` has no
/// `#[profile_info::main]` (see [Without `#[profile_info::main]`](self#without-profile_infomain)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoDocument;

impl std::fmt::Display for NoDocument {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "profile-info's /buildinfo has no document: put #[profile_info::main] on main, \
             or pass Config::new().info(profile_info::build_info!())",
        )
    }
}

impl std::error::Error for NoDocument {}

/// The request method, as far as the endpoint cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// Anything else (answered with 405).
    Other,
}

impl Method {
    /// The method named `name` (case-sensitive, as HTTP methods are).
    #[inline]
    pub fn from_name(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            _ => Method::Other,
        }
    }
}

/// A header list built once: `(lowercase name, value)`.
pub type Headers = &'static [(&'static str, &'static str)];

/// The ready-made answers for one configuration. Get one from [`Config::endpoint`].
#[derive(Debug)]
pub struct Endpoint {
    info: &'static BuildInfo,
    runtime: bool,
    dependencies: bool,
    json: Representation,
    text: Option<Representation>,
}

#[derive(Debug)]
struct Representation {
    body: &'static [u8],
    ok: Headers,
    not_modified: Headers,
    etag: &'static str,
    content_length: &'static str,
}

const NOT_ALLOWED: Headers =
    &[("allow", "GET, HEAD"), ("cache-control", "no-cache"), ("x-content-type-options", "nosniff")];

/// One answer: status, headers and body, all `'static`.
#[derive(Clone, Copy, Debug)]
pub struct Reply {
    status: u16,
    headers: Headers,
    body: &'static [u8],
    content_length: &'static str,
    head: bool,
}

impl Reply {
    /// `200`, `304` or `405`.
    #[inline]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers to send, lowercase names (`content-length` excepted: see [`Reply::content_length`]).
    #[inline]
    pub fn headers(&self) -> Headers {
        self.headers
    }

    /// The representation: what `GET` sends, also for `HEAD` (servers that strip the body of a
    /// `HEAD` answer themselves want it to compute `Content-Length`); empty for `304` and `405`.
    #[inline]
    pub fn body(&self) -> &'static [u8] {
        self.body
    }

    /// Whether the request was `HEAD`: a server that does not strip bodies itself sends none and
    /// [`Reply::content_length`] as `Content-Length`.
    #[inline]
    pub fn is_head(&self) -> bool {
        self.head
    }

    /// The length of [`Reply::body`] in decimal, pre-formatted.
    #[inline]
    pub fn content_length(&self) -> &'static str {
        self.content_length
    }
}

impl Endpoint {
    #[inline]
    fn build(info: &'static BuildInfo, runtime: bool, text: bool, dependencies: bool) -> Endpoint {
        let section = runtime.then(|| Runtime::now(info));
        let mut json = String::from("{\"build\":");
        match info.json() {
            Some(document) => json.push_str(document),
            // Only a document made at run time has no compile-time JSON.
            None => json.push_str(&crate::render::json(info)),
        }
        if let Some(rt) = &section {
            json.push_str(",\"runtime\":");
            rt.write_json(&mut json);
        }
        if dependencies {
            json.push_str(",\"dependencies\":");
            json.push_str(&dependency_list(info).unwrap_or_else(|| "null".to_owned()));
        }
        json.push('}');
        let text = text.then(|| {
            let mut body = info.text().map_or_else(|| info.to_string(), str::to_owned);
            if let Some(rt) = &section {
                rt.write_text(&mut body);
            }
            Representation::new(body, "text/plain; charset=utf-8", true)
        });
        let vary = text.is_some();
        Endpoint { info, runtime, dependencies, json: Representation::new(json, "application/json", vary), text }
    }

    /// The answer to a request with this method, `If-None-Match` field values and `Accept` field
    /// values: give every line of each field (HTTP lets a client split one list over several
    /// lines, and the lines together are the field's value); none for a field that is absent.
    #[inline]
    pub fn respond<'a, 'b>(
        &'static self,
        method: Method,
        if_none_match: impl IntoIterator<Item = &'a [u8]>,
        accept: impl IntoIterator<Item = &'b [u8]>,
    ) -> Reply {
        let head = method == Method::Head;
        if method == Method::Other {
            return Reply { status: 405, headers: NOT_ALLOWED, body: b"", content_length: "0", head };
        }
        let rep = match &self.text {
            Some(text) if prefers_text(accept) => text,
            _ => &self.json,
        };
        if if_none_match.into_iter().any(|list| matches(list, rep.etag)) {
            return Reply { status: 304, headers: rep.not_modified, body: b"", content_length: "0", head };
        }
        Reply { status: 200, headers: rep.ok, body: rep.body, content_length: rep.content_length, head }
    }

    /// The JSON body `GET` answers.
    #[inline]
    pub fn json(&self) -> &'static [u8] {
        self.json.body
    }
}

impl Representation {
    #[inline]
    fn new(body: String, content_type: &'static str, vary: bool) -> Representation {
        #[inline]
        fn leak(s: String) -> &'static str {
            Box::leak(s.into_boxed_str())
        }
        let etag = leak(format!("\"{:016x}\"", profile_info_core::fnv::fnv1a(body.as_bytes())));
        let content_length = leak(body.len().to_string());
        let mut not_modified =
            vec![("etag", etag), ("cache-control", "no-cache"), ("x-content-type-options", "nosniff")];
        if vary {
            not_modified.push(("vary", "accept"));
        }
        let mut ok = vec![("content-type", content_type)];
        ok.extend_from_slice(&not_modified);
        Representation {
            body: leak(body).as_bytes(),
            ok: Vec::leak(ok),
            not_modified: Vec::leak(not_modified),
            etag,
            content_length,
        }
    }
}

/// The binary's dependency list, when `info` is its own document (`#[profile_info::main]`'s,
/// which keeps the `.dep-v0` section's bytes beside it) and it has one.
#[inline]
fn dependency_list(info: &BuildInfo) -> Option<String> {
    let rendered = profile_info_start::rendered()?;
    (info.json() == Some(rendered.json_str())).then_some(())?;
    let json = String::from_utf8(profile_info_core::zlib::decompress(rendered.deps())?).ok()?;
    // The section is the macro's own JSON; anything else is not served as JSON.
    profile_info_core::read::parse_nested(&json, 64).map(|_| json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> &'static Endpoint {
        Config::new().info(crate::build_info!()).endpoint()
    }

    #[test]
    fn conditional() {
        let e = endpoint();
        let tag = e.json.etag;
        assert_eq!(e.respond(Method::Get, [tag.as_bytes()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [b"*".as_slice()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [format!("\"x\", W/{tag}").as_bytes()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [b"\"x\"".as_slice()], None).status(), 200);
        // A list split over two lines.
        assert_eq!(e.respond(Method::Get, [b"\"x\"".as_slice(), tag.as_bytes()], None).status(), 304);
        // The text rendering has its own tag.
        assert_eq!(e.respond(Method::Get, [tag.as_bytes()], [b"text/plain".as_slice()]).status(), 200);
        assert_eq!(e.respond(Method::Other, [], None).status(), 405);
    }

    #[test]
    fn no_document_is_an_error_not_a_panic() {
        // A unit-test binary has no `#[profile_info::main]`.
        assert!(crate::current().is_none());
        assert_eq!(Config::new().try_endpoint().err(), Some(NoDocument));
        let panic = std::panic::catch_unwind(|| Config::new().endpoint()).unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(message.contains("#[profile_info::main]") && message.contains("build_info!()"), "{message}");
        assert!(Config::new().info(crate::build_info!()).try_endpoint().is_ok());
    }

    #[test]
    fn body_wraps_the_document() {
        let e = endpoint();
        let body: serde_json::Value = serde_json::from_slice(e.json()).unwrap();
        let document: serde_json::Value = serde_json::from_str(crate::build_info!().json().unwrap()).unwrap();
        assert_eq!(body["build"], document);
        assert_eq!(body["runtime"]["cpu_supported"], true);
        assert!(Config::new().info(crate::build_info!()).runtime(false).endpoint().json().ends_with(b"}}"));
        assert!(std::ptr::eq(e, endpoint()), "built once per configuration");
    }
}
