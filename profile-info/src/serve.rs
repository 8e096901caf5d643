//! `/buildinfo` without a framework: the one implementation behind `profile_info::axum`,
//! `profile_info::actix` and `profile_info::tower`, usable as is for any other server.
//!
//! # The response
//!
//! `GET` answers `200`, `application/json`, with
//!
//! ```json
//! {"build":<the document>,"runtime":{"arch":"x86_64","level":"x86-64-v3","features":["avx",…],
//!  "runs_here":true,"missing":[],"started_at":"2026-11-24T22:58:09Z"}}
//! ```
//!
//! where `<the document>` is, byte for byte, the JSON `--build-info=json` prints (produced at
//! compile time; rendered once for a document made at run time and given to [`Config::info`]), and `runtime` is computed once per process: the host's x86-64 level and usable
//! features ([`crate::cpu::host()`]), whether this binary can run on it and what it lacks
//! ([`crate::cpu::missing_for`], each `{"feature":"avx512f","lack":"cpu"|"os-state"}`), and
//! when the process started (UTC, RFC 3339, whole seconds: from the kernel on Linux, else when the
//! endpoint was first built). Nothing else: no host or user names, environment values
//! or paths. [`Config::runtime`]`(false)` leaves the `runtime` key out.
//!
//! `Accept` preferring `text/plain` (by q-value, over `application/json`) gets the text
//! rendering (`--build-info`), followed by `host:` and `started:` lines when the runtime section
//! is on; [`Config::text`]`(false)` always answers JSON.
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
//! let reply = endpoint.respond(Method::Get, [], None);
//! assert_eq!(reply.status(), 200);
//! let body: &str = std::str::from_utf8(reply.body()).unwrap();
//! assert!(body.starts_with(r#"{"build":{"schema":2,"#));
//! ```

use crate::render::Quoted;
use crate::BuildInfo;
use std::fmt::Write;
use std::sync::Mutex;

/// Where the framework modules mount the endpoint unless told otherwise.
pub const DEFAULT_PATH: &str = "/buildinfo";

/// What to expose, and where.
#[derive(Clone, Debug)]
pub struct Config {
    path: String,
    runtime: bool,
    text: bool,
    info: Option<&'static BuildInfo>,
}

impl Default for Config {
    fn default() -> Self {
        Config { path: DEFAULT_PATH.to_owned(), runtime: true, text: true, info: None }
    }
}

impl Config {
    /// `/buildinfo`, runtime section and text rendering on, the document of
    /// [`crate::current()`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts the endpoint at `path` (used by the framework modules; [`Endpoint`] itself answers
    /// whatever request it is given).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Whether to add the `runtime` section (host CPU, whether the binary runs on it, start time).
    pub fn runtime(mut self, on: bool) -> Self {
        self.runtime = on;
        self
    }

    /// Whether `Accept: text/plain` gets the text rendering (otherwise always JSON).
    pub fn text(mut self, on: bool) -> Self {
        self.text = on;
        self
    }

    /// Serves this document instead of [`crate::current()`]'s: for programs without
    /// `#[profile_info::main]`, pass `profile_info::build_info!()` expanded in the binary crate.
    pub fn info(mut self, info: &'static BuildInfo) -> Self {
        self.info = Some(info);
        self
    }

    /// The path the endpoint is mounted at.
    pub fn mount_path(&self) -> &str {
        &self.path
    }

    /// The endpoint for this configuration, built on first use and shared by every later call
    /// with the same document and sections.
    ///
    /// # Panics
    ///
    /// When no document was given with [`Config::info`] and `main` has no
    /// `#[profile_info::main]` (so [`crate::current()`] is `None`).
    pub fn endpoint(&self) -> &'static Endpoint {
        let info = self.info.or_else(crate::current).expect(
            "profile-info's /buildinfo needs #[profile_info::main] on main, or Config::info(profile_info::build_info!())",
        );
        // A handful of configurations per process at most, each built once: a list is enough.
        static BUILT: Mutex<Vec<&'static Endpoint>> = Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
        let same = |e: &&&'static Endpoint| {
            std::ptr::eq(e.info, info) && e.runtime == self.runtime && e.text.is_some() == self.text
        };
        if let Some(endpoint) = built.iter().find(same) {
            return endpoint;
        }
        let endpoint: &'static Endpoint = Box::leak(Box::new(Endpoint::build(info, self.runtime, self.text)));
        built.push(endpoint);
        endpoint
    }
}

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
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers to send, lowercase names (`content-length` excepted: see [`Reply::content_length`]).
    pub fn headers(&self) -> Headers {
        self.headers
    }

    /// The representation: what `GET` sends, also for `HEAD` (servers that strip the body of a
    /// `HEAD` answer themselves want it to compute `Content-Length`); empty for `304` and `405`.
    pub fn body(&self) -> &'static [u8] {
        self.body
    }

    /// Whether the request was `HEAD`: a server that does not strip bodies itself sends none and
    /// [`Reply::content_length`] as `Content-Length`.
    pub fn is_head(&self) -> bool {
        self.head
    }

    /// The length of [`Reply::body`] in decimal, pre-formatted.
    pub fn content_length(&self) -> &'static str {
        self.content_length
    }
}

impl Endpoint {
    fn build(info: &'static BuildInfo, runtime: bool, text: bool) -> Endpoint {
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
        json.push('}');
        let text = text.then(|| {
            let mut body = info.text().map_or_else(|| info.to_string(), str::to_owned);
            if let Some(rt) = &section {
                rt.write_text(&mut body);
            }
            Representation::new(body, "text/plain; charset=utf-8", true)
        });
        let vary = text.is_some();
        Endpoint { info, runtime, json: Representation::new(json, "application/json", vary), text }
    }

    /// The answer to a request with this method, `If-None-Match` header values and `Accept`
    /// header value.
    pub fn respond<'a>(
        &'static self,
        method: Method,
        if_none_match: impl IntoIterator<Item = &'a [u8]>,
        accept: Option<&[u8]>,
    ) -> Reply {
        let head = method == Method::Head;
        if method == Method::Other {
            return Reply { status: 405, headers: NOT_ALLOWED, body: b"", content_length: "0", head };
        }
        let rep = match &self.text {
            Some(text) if accept.is_some_and(prefers_text) => text,
            _ => &self.json,
        };
        if if_none_match.into_iter().any(|list| matches(list, rep.etag)) {
            return Reply { status: 304, headers: rep.not_modified, body: b"", content_length: "0", head };
        }
        Reply { status: 200, headers: rep.ok, body: rep.body, content_length: rep.content_length, head }
    }

    /// The JSON body `GET` answers.
    pub fn json(&self) -> &'static [u8] {
        self.json.body
    }
}

impl Representation {
    fn new(body: String, content_type: &'static str, vary: bool) -> Representation {
        fn leak(s: String) -> &'static str {
            Box::leak(s.into_boxed_str())
        }
        let etag = leak(format!("\"{:016x}\"", fnv1a(body.as_bytes())));
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

/// 64-bit FNV-1a: stable across Rust versions and processes, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`.
fn matches(list: &[u8], etag: &str) -> bool {
    list.split(|&b| b == b',')
        .map(|tag| tag.trim_ascii())
        .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag.as_bytes())
}

/// Whether `text/plain` gets a higher q-value than `application/json`; on a tie, JSON.
fn prefers_text(accept: &[u8]) -> bool {
    let Ok(accept) = std::str::from_utf8(accept) else { return false };
    quality(accept, "text", "plain") > quality(accept, "application", "json")
}

/// The q-value of the most specific media range matching `kind/sub`, 0 when none does.
fn quality(accept: &str, kind: &str, sub: &str) -> f32 {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut params = range.split(';');
        let Some((k, s)) = params.next().and_then(|m| m.trim().split_once('/')) else { continue };
        let specificity = match (k.eq_ignore_ascii_case(kind), s.eq_ignore_ascii_case(sub)) {
            (true, true) => 2,
            (true, false) if s == "*" => 1,
            _ if k == "*" && s == "*" => 0,
            _ => continue,
        };
        let q = params.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse().ok()).unwrap_or(1.0);
        if best.is_none_or(|(b, _)| specificity > b) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// The runtime section, measured once.
struct Runtime {
    host: crate::cpu::Host,
    missing: Vec<crate::cpu::Missing>,
    started_at: String,
}

impl Runtime {
    fn now(info: &BuildInfo) -> Runtime {
        Runtime {
            host: crate::cpu::host(),
            missing: crate::cpu::missing_for(info),
            started_at: rfc3339(process_start()),
        }
    }

    fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"arch\":{},\"level\":", Quoted(std::env::consts::ARCH));
        let _ = match self.host.level {
            Some(level) => write!(out, "{}", Quoted(level)),
            None => write!(out, "null"),
        };
        out.push_str(",\"features\":[");
        for (i, f) in self.host.features.iter().enumerate() {
            let _ = write!(out, "{}{}", if i == 0 { "" } else { "," }, Quoted(f));
        }
        let _ = write!(out, "],\"runs_here\":{},\"missing\":[", self.missing.is_empty());
        for (i, m) in self.missing.iter().enumerate() {
            let lack = match m.lack {
                crate::cpu::Lack::Cpu => "cpu",
                crate::cpu::Lack::OsState(_) => "os-state",
            };
            let _ = write!(
                out,
                "{}{{\"feature\":{},\"lack\":\"{lack}\"}}",
                if i == 0 { "" } else { "," },
                Quoted(m.feature)
            );
        }
        let _ = write!(out, "],\"started_at\":{}}}", Quoted(&self.started_at));
    }

    fn write_text(&self, out: &mut String) {
        let level = self.host.level.unwrap_or(std::env::consts::ARCH);
        let runs = if self.missing.is_empty() {
            "runs here".to_owned()
        } else {
            let missing: Vec<String> = self.missing.iter().map(|m| m.to_string()).collect();
            format!("cannot run here, missing {}", missing.join(", "))
        };
        let _ = writeln!(out, "host:        {level}, {runs}\nstarted:     {}", self.started_at);
    }
}

/// When the process started, in seconds since the Unix epoch. Found here rather than recorded by
/// `main`'s prologue: `SystemTime::now()` there put 8.7 KiB into every stripped hello world.
fn process_start() -> u64 {
    #[cfg(target_os = "linux")]
    if let Some(start) = linux_process_start() {
        return start;
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The boot time (`btime` in /proc/stat) plus the process's start after boot (field 22 of
/// /proc/self/stat, in USER_HZ ticks, which Linux fixes at 100 for /proc).
#[cfg(target_os = "linux")]
fn linux_process_start() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 2, the command name, may hold spaces and parentheses: count from after its last `)`,
    // where field 3 begins.
    let ticks: u64 = stat[stat.rfind(')')? + 1..].split_whitespace().nth(22 - 3)?.parse().ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(boot + ticks / 100)
}

/// `2026-11-24T22:58:09Z` for seconds since the Unix epoch, without a date library (days to civil
/// date: H. Hinnant's algorithm).
fn rfc3339(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> &'static Endpoint {
        Config::new().info(crate::build_info!()).endpoint()
    }

    #[test]
    fn process_start_is_before_now_and_recent() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let start = process_start();
        // A test binary starts well under an hour before its tests run, and never after them.
        assert!(start <= now + 1 && now - start < 3600, "start {start}, now {now}");
        #[cfg(target_os = "linux")]
        assert!(linux_process_start().is_some());
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_993_089), "2026-11-29T22:58:09Z");
    }

    #[test]
    fn negotiation() {
        assert!(prefers_text(b"text/plain"));
        assert!(prefers_text(b"text/*"));
        assert!(prefers_text(b"application/json;q=0.5, text/plain"));
        assert!(!prefers_text(b"*/*"));
        assert!(!prefers_text(b"text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(!prefers_text(b"application/json, text/plain"));
        assert!(!prefers_text(b"text/plain;q=0.2, */*"));
    }

    #[test]
    fn conditional() {
        let e = endpoint();
        let tag = e.json.etag;
        assert_eq!(e.respond(Method::Get, [tag.as_bytes()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [b"*".as_slice()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [format!("\"x\", W/{tag}").as_bytes()], None).status(), 304);
        assert_eq!(e.respond(Method::Get, [b"\"x\"".as_slice()], None).status(), 200);
        // The text rendering has its own tag.
        assert_eq!(e.respond(Method::Get, [tag.as_bytes()], Some(b"text/plain")).status(), 200);
        assert_eq!(e.respond(Method::Other, [], None).status(), 405);
    }

    #[test]
    fn body_wraps_the_document() {
        let e = endpoint();
        let body: serde_json::Value = serde_json::from_slice(e.json()).unwrap();
        let document: serde_json::Value = serde_json::from_str(crate::build_info!().json().unwrap()).unwrap();
        assert_eq!(body["build"], document);
        assert_eq!(body["runtime"]["runs_here"], true);
        assert!(Config::new().info(crate::build_info!()).runtime(false).endpoint().json().ends_with(b"}}"));
        assert!(std::ptr::eq(e, endpoint()), "built once per configuration");
    }
}
