//! `/buildinfo` served for real by axum, actix-web and hyper (through the tower service) on
//! 127.0.0.1 ephemeral ports, spoken to by a small HTTP/1.1 client over `TcpStream` that checks
//! the framing itself (so a body sent on HEAD or 304 would be seen, not smoothed over).

use profile_info::serve::Config;
use profile_info::BuildInfo;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

/// One expansion site, so every server shares the same document (and endpoint).
fn info() -> &'static BuildInfo {
    profile_info::build_info!()
}

fn config() -> Config {
    Config::new().info(info())
}

// ---- servers ------------------------------------------------------------------------------

fn tokio_server(
    serve: impl FnOnce(tokio::net::TcpListener) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> + Send + 'static,
) -> SocketAddr {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await
        })
    });
    rx.recv().unwrap()
}

fn axum_server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        tokio_server(|listener| {
            Box::pin(async move {
                let app = axum::Router::new()
                    .merge(profile_info::axum::router_with(&config()))
                    .merge(profile_info::axum::router_with(
                        &config().path("/internal/build").runtime(false).text(false),
                    ))
                    .route(
                        "/metrics",
                        axum::routing::get(|| async {
                            let content_type = profile_info::prometheus::CONTENT_TYPE;
                            (
                                [(axum::http::header::CONTENT_TYPE, content_type)],
                                profile_info::prometheus::text(info(), "app"),
                            )
                        }),
                    );
                axum::serve(listener, app).await.unwrap()
            })
        })
    })
}

fn hyper_server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        tokio_server(|listener| {
            Box::pin(async move {
                let service = profile_info::tower::BuildInfoService::with_config(&config());
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper_util::service::TowerToHyperService::new(service);
                    tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
                }
            })
        })
    })
}

fn actix_server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(|| {
                    actix_web::App::new().configure(profile_info::actix::configure_with(&config()))
                })
                .workers(2)
                .bind(("127.0.0.1", 0))
                .unwrap();
                tx.send(server.addrs()[0]).unwrap();
                server.run().await.unwrap()
            })
        });
        rx.recv().unwrap()
    })
}

// ---- client -------------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn(BufReader<TcpStream>);

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn(BufReader::new(stream))
    }

    fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        self.0.get_mut().write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        let status =
            line.strip_prefix("HTTP/1.1 ").unwrap_or_else(|| panic!("status line {line:?}"))[..3].parse().unwrap();
        let mut headers = HashMap::new();
        loop {
            line.clear();
            self.0.read_line(&mut line).unwrap();
            let Some((k, v)) = line.trim_end().split_once(':') else { break };
            assert!(headers.insert(k.to_ascii_lowercase(), v.trim().to_owned()).is_none(), "duplicate header {k}");
        }
        assert!(!headers.contains_key("transfer-encoding"), "expected a sized body: {headers:?}");
        let mut body = Vec::new();
        if method != "HEAD" && status != 304 {
            let len: usize = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
            body.resize(len, 0);
            self.0.read_exact(&mut body).unwrap();
        }
        Response { status, headers, body }
    }
}

fn get(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut conn = Conn::open(addr);
    let res = conn.send(method, path, headers);
    // Nothing may follow: a body on HEAD/304 would be read here as garbage before EOF.
    conn.0.get_mut().shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    let _ = conn.0.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{method} {path}: {} bytes after the response", rest.len());
    res
}

// ---- the behaviour every framework must share ---------------------------------------------

fn check(addr: SocketAddr) {
    let document = info().json().expect("compiled-in document");

    let ok = get(addr, "GET", "/buildinfo", &[]);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("content-type"), Some("application/json"));
    assert_eq!(ok.header("cache-control"), Some("no-cache"));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(ok.header("vary"), Some("accept"));
    let etag = ok.header("etag").unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2, "strong etag {etag}");
    // The body is the document byte for byte, then the runtime section.
    let prefix = format!("{{\"build\":{document},\"runtime\":{{");
    assert!(ok.body.starts_with(prefix.as_bytes()), "{}", String::from_utf8_lossy(&ok.body));
    let body: serde_json::Value = serde_json::from_slice(&ok.body).unwrap();
    assert_eq!(body["build"], serde_json::from_str::<serde_json::Value>(document).unwrap());
    let rt = &body["runtime"];
    assert_eq!(rt["cpu_supported"], true);
    assert_eq!(rt["missing"], serde_json::json!([]));
    assert_eq!(rt["arch"], std::env::consts::ARCH);
    assert!(rt["started_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rt.as_object().unwrap().len(), 6, "nothing but the documented keys: {rt}");
    #[cfg(target_arch = "x86_64")]
    assert_eq!(rt["level"].as_str(), profile_info::cpu::host().level);

    for inm in [etag.clone(), format!("W/{etag}"), "*".into(), format!("\"nope\", {etag}")] {
        let nm = get(addr, "GET", "/buildinfo", &[("if-none-match", &inm)]);
        assert_eq!(nm.status, 304, "If-None-Match: {inm}");
        assert!(nm.body.is_empty());
        assert_eq!(nm.header("etag"), Some(etag.as_str()));
    }
    assert_eq!(get(addr, "GET", "/buildinfo", &[("if-none-match", "\"nope\"")]).status, 200);

    let head = get(addr, "HEAD", "/buildinfo", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some(ok.body.len().to_string().as_str()));
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    assert_eq!(head.header("content-type"), Some("application/json"));

    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let no = get(addr, method, "/buildinfo", &[("content-length", "0")]);
        assert_eq!(no.status, 405, "{method}");
        assert_eq!(no.header("allow"), Some("GET, HEAD"), "{method}");
    }

    let text = get(addr, "GET", "/buildinfo", &[("accept", "text/plain")]);
    assert_eq!(text.status, 200);
    assert_eq!(text.header("content-type"), Some("text/plain; charset=utf-8"));
    let body = String::from_utf8(text.body).unwrap();
    assert!(body.starts_with(info().text().unwrap()), "{body}");
    assert!(body.contains("\nhost:        ") && body.contains("has every CPU feature this binary"), "{body}");
    let text_tag = text.headers["etag"].clone();
    assert_ne!(text_tag, etag);
    assert_eq!(get(addr, "GET", "/buildinfo", &[("accept", "text/plain"), ("if-none-match", &text_tag)]).status, 304);
    // A browser's Accept ranks JSON and text alike: JSON.
    let browser = get(addr, "GET", "/buildinfo", &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]);
    assert_eq!(browser.header("content-type"), Some("application/json"));

    // A field split over several lines is one list (RFC 9110 §5.3): each line alone would pick
    // the other representation.
    let split = [("accept", "application/json;q=0.1"), ("accept", "text/plain")];
    assert_eq!(get(addr, "GET", "/buildinfo", &split).header("content-type"), Some("text/plain; charset=utf-8"));
    let split = [("accept", "text/plain;q=0.5"), ("accept", "application/json")];
    assert_eq!(get(addr, "GET", "/buildinfo", &split).header("content-type"), Some("application/json"));
    let split = [("if-none-match", "\"nope\""), ("if-none-match", etag.as_str())];
    assert_eq!(get(addr, "GET", "/buildinfo", &split).status, 304);
    // Parameter names are case-insensitive: `Q` is the weight.
    let upper = get(addr, "GET", "/buildinfo", &[("accept", "application/json;Q=0.1, text/plain;Q=0.5")]);
    assert_eq!(upper.header("content-type"), Some("text/plain; charset=utf-8"));
}

/// 8 clients × 500 requests on keep-alive connections: no failure, one body.
fn load(addr: SocketAddr) {
    let expected = get(addr, "GET", "/buildinfo", &[]).body;
    let expected = Arc::new(expected);
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let expected = Arc::clone(&expected);
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                for _ in 0..500 {
                    let res = conn.send("GET", "/buildinfo", &[]);
                    assert_eq!(res.status, 200);
                    assert!(res.body == *expected, "a different body");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("client saw no failure");
    }
}

#[test]
fn axum_serves_buildinfo() {
    check(axum_server());
}

#[test]
fn axum_mounts_elsewhere_with_fewer_sections() {
    let addr = axum_server();
    let res = get(addr, "GET", "/internal/build", &[("accept", "text/plain")]);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"), "text turned off");
    assert_eq!(res.header("vary"), None);
    assert_eq!(res.body, format!("{{\"build\":{}}}", info().json().unwrap()).into_bytes());
    assert_eq!(get(addr, "GET", "/nothing", &[]).status, 404);
}

#[test]
fn actix_serves_buildinfo() {
    check(actix_server());
}

#[test]
fn hyper_serves_buildinfo_through_tower() {
    check(hyper_server());
}

#[test]
fn load_axum() {
    load(axum_server());
}

#[test]
fn load_actix() {
    load(actix_server());
}

#[test]
fn load_hyper() {
    load(hyper_server());
}

// ---- Prometheus ---------------------------------------------------------------------------

/// A strict parser for the text exposition format: `# HELP`, `# TYPE`, samples with escaped
/// label values; panics on anything else.
type Labels = Vec<(String, String)>;
type Sample = (String, Labels, f64);

#[derive(Debug, Default)]
struct Exposition {
    /// `(metric name, help text)` of each `# HELP` line, in order.
    help: Vec<(String, String)>,
    samples: Vec<Sample>,
}

fn parse_exposition(text: &str) -> Exposition {
    let mut out = Exposition::default();
    let mut typed = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(help)) => out.help.push((name.to_owned(), help.to_owned())),
                (Some("TYPE"), Some(name), Some(kind)) => {
                    typed.insert(name.to_owned(), kind.to_owned());
                }
                (Some("EOF"), None, None) => {}
                _ => panic!("bad comment {line:?}"),
            }
            continue;
        }
        let (name, rest) = line.split_at(line.find(['{', ' ']).unwrap());
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'), "name {name:?}");
        let mut labels = Vec::new();
        let mut chars = rest.chars().peekable();
        if chars.peek() == Some(&'{') {
            chars.next();
            loop {
                let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
                assert_eq!(chars.next(), Some('"'), "in {line:?}");
                let mut value = String::new();
                loop {
                    match chars.next().expect("unterminated value") {
                        '"' => break,
                        '\\' => value.push(match chars.next() {
                            Some('\\') => '\\',
                            Some('"') => '"',
                            Some('n') => '\n',
                            other => panic!("bad escape {other:?} in {line:?}"),
                        }),
                        '\n' => panic!("raw newline"),
                        c => value.push(c),
                    }
                }
                labels.push((key.trim_start_matches(',').to_owned(), value));
                match chars.next() {
                    Some(',') if chars.peek() == Some(&'}') => {
                        chars.next();
                        break;
                    }
                    Some(',') => {}
                    Some('}') => break,
                    other => panic!("expected , or }} got {other:?} in {line:?}"),
                }
            }
        }
        let value: String = chars.collect();
        let value: f64 = value.trim().parse().unwrap_or_else(|_| panic!("value in {line:?}"));
        assert_eq!(typed.get(name).map(String::as_str), Some("gauge"), "{name} typed gauge before its sample");
        out.samples.push((name.to_owned(), labels, value));
    }
    out
}

/// The one HELP line every exporter must give: written out here, not taken from the crate.
fn expected_help() -> Vec<(String, String)> {
    vec![("app_build_info".to_owned(), "Build of this binary, from profile-info (value 1).".to_owned())]
}

fn expected_labels(info: &BuildInfo) -> Labels {
    profile_info::facts::Facts::of(info).pairs().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn metrics_endpoint_parses() {
    let res = get(axum_server(), "GET", "/metrics", &[]);
    assert_eq!(res.status, 200);
    // The exposition format's media type, as Prometheus documents it.
    assert_eq!(res.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let parsed = parse_exposition(std::str::from_utf8(&res.body).unwrap());
    assert_eq!(parsed.samples, vec![("app_build_info".to_owned(), expected_labels(info()), 1.0)]);
    assert_eq!(parsed.help, expected_help());
}

#[test]
fn label_values_are_escaped() {
    let mut doc: serde_json::Value = serde_json::from_str(info().json().unwrap()).unwrap();
    doc["package"]["version"] = "1.0.0-\"quoted\"\\back\nline".into();
    let odd: BuildInfo = serde_json::from_value(doc).unwrap();
    let samples = parse_exposition(&profile_info::prometheus::text(&odd, "odd-app")).samples;
    assert_eq!(samples[0].0, "odd_app_build_info");
    assert_eq!(samples[0].1[0], ("version".to_owned(), "1.0.0-\"quoted\"\\back\nline".to_owned()));
    assert_eq!(samples[0].1, expected_labels(&odd));
}

#[test]
fn prometheus_client_registry() {
    let mut registry = prometheus_client::registry::Registry::default();
    profile_info::prometheus::register(&mut registry, info(), "app");
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    let parsed = parse_exposition(&text);
    assert_eq!(parsed.samples, vec![("app_build_info".to_owned(), expected_labels(info()), 1.0)], "{text}");
    assert_eq!(parsed.help, expected_help(), "{text}");
}

#[test]
fn metrics_recorder() {
    use metrics::{Counter, Gauge, GaugeFn, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

    #[derive(Default)]
    struct Seen(Mutex<Vec<Sample>>, Mutex<Vec<String>>);
    struct Handle(Arc<Seen>, Key);
    impl GaugeFn for Handle {
        fn increment(&self, _: f64) {}
        fn decrement(&self, _: f64) {}
        fn set(&self, value: f64) {
            let labels = self.1.labels().map(|l| (l.key().to_owned(), l.value().to_owned())).collect();
            self.0 .0.lock().unwrap().push((self.1.name().to_owned(), labels, value));
        }
    }
    struct Rec(Arc<Seen>);
    impl Recorder for Rec {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, name: KeyName, _: Option<Unit>, help: SharedString) {
            self.0 .1.lock().unwrap().push(format!("{} {}", name.as_str(), help));
        }
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
            Counter::noop()
        }
        fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::from_arc(Arc::new(Handle(Arc::clone(&self.0), key.clone())))
        }
        fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::noop()
        }
    }
    let seen = Arc::new(Seen::default());
    metrics::with_local_recorder(&Rec(Arc::clone(&seen)), || profile_info::prometheus::record(info(), "app"));
    assert_eq!(*seen.0.lock().unwrap(), vec![("app_build_info".to_owned(), expected_labels(info()), 1.0)]);
    let (name, help) = &expected_help()[0];
    assert_eq!(*seen.1.lock().unwrap(), vec![format!("{name} {help}")]);
}

// ---- OpenTelemetry ------------------------------------------------------------

#[test]
fn opentelemetry_key_values() {
    let kvs = profile_info::otel::key_values(info());
    let pairs = profile_info::otel::attributes(info());
    assert_eq!(kvs.len(), pairs.len());
    for (kv, (k, v)) in kvs.iter().zip(&pairs) {
        assert_eq!(kv.key.as_str(), *k);
        assert_eq!(kv.value.as_str(), v.as_str());
    }
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("service.name"), Some("profile-info"));
    assert_eq!(get("service.version"), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(get("process.runtime.name"), Some("rustc"));
    assert_eq!(get("process.runtime.version"), info().rustc.version.as_deref());
    #[cfg(target_arch = "x86_64")]
    assert_eq!(get("host.arch"), Some("amd64"));
    assert_eq!(get("rust.build.profile"), info().profile.name.as_deref());
}

// ---- without #[profile_info::main] (this test binary has none) ------------------------------

#[test]
fn without_the_attribute_the_default_forms_panic_and_the_try_forms_do_not() {
    assert!(profile_info::current().is_none());
    let err = profile_info::axum::try_router_with::<()>(&Config::new()).expect_err("no document here");
    assert_eq!(err, profile_info::serve::NoDocument);
    assert!(profile_info::actix::try_configure_with(&Config::new()).is_err());
    assert!(profile_info::tower::BuildInfoService::try_with_config(&Config::new()).is_err());
    let panic = std::panic::catch_unwind(profile_info::axum::router::<()>).expect_err("router() panics");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("#[profile_info::main]") && message.contains("build_info!()"), "{message}");
    assert!(profile_info::axum::try_router_with::<()>(&config()).is_ok());
}

/// The handler unit test the `axum` module's documentation shows, as written there.
mod documented_unit_test {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn app() -> axum::Router {
        // build_info!() is this crate's document, in main and in its tests alike.
        let build = profile_info::serve::Config::new().info(profile_info::build_info!());
        axum::Router::new().merge(profile_info::axum::router_with(&build))
    }

    #[tokio::test]
    async fn buildinfo_answers() {
        let res = app().oneshot(Request::get("/buildinfo").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 200);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(doc["build"]["crate_type"], "test");
    }
}

/// curl, another client, sending `Accept` and `If-None-Match` each split over two lines (`-H`
/// given twice sends both lines): every framework reads both.
#[test]
fn curl_split_fields() {
    for addr in [axum_server(), actix_server(), hyper_server()] {
        let url = format!("http://{addr}/buildinfo");
        let curl = |args: &[&str]| {
            let out = std::process::Command::new("curl")
                .args(["-sS", "-o", "/dev/null", "-D", "-"])
                .args(args)
                .arg(&url)
                .output();
            let out = out.expect("curl (scripts/test.sh installs it)");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().to_ascii_lowercase()
        };
        let text = curl(&["-H", "Accept: application/json;q=0.1", "-H", "Accept: text/plain"]);
        assert!(text.contains("\r\ncontent-type: text/plain; charset=utf-8\r\n"), "{addr}: {text}");
        let json = curl(&[]);
        let etag = json.lines().find_map(|l| l.strip_prefix("etag: ")).expect("an etag").trim().to_owned();
        let not_modified = curl(&["-H", "If-None-Match: \"nope\"", "-H", &format!("If-None-Match: {etag}")]);
        assert!(not_modified.starts_with("http/1.1 304"), "{addr}: {not_modified}");
    }
}
