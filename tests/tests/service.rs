//! The examples run as real processes: `service` on an ephemeral port (its `/buildinfo` against
//! its own `--build-info=json`, `/metrics`, a clean exit on SIGTERM), `cli`'s clap flags, and the
//! startup line of `#[profile_info::main(log)]`.

use profile_info_tests::{build_example, run, Fixture};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `GET path` with `Connection: close`: (status line, lowercase headers block, body).
fn http_get(addr: &str, path: &str) -> (String, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let (status, headers) = head.split_once("\r\n").unwrap();
    (status.to_owned(), headers.to_ascii_lowercase(), raw[split + 4..].to_vec())
}

#[cfg(unix)]
#[test]
fn service_example_serves_its_own_document_and_stops_on_sigterm() {
    let binary = build_example("service");
    let own = run(&binary, &["--build-info=json"]);
    assert!(own.status.success());
    let own = String::from_utf8(own.stdout).unwrap();

    let mut child =
        Command::new(&binary).env("PORT", "0").stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("no `listening on` line; got {log:?}")
        });
        if let Some(addr) = line.split("listening on http://").nth(1) {
            break addr.trim().to_owned();
        }
        log.push(line);
    };
    // One startup line with the build summary and the facts as fields.
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].contains("profile-info-examples 0.0.0; crate: bin ("), "{}", log[0]);
    assert!(log[0].contains("; profile: dev (opt-level 0"), "{}", log[0]);
    assert!(log[0].contains(" profile=dev ") && log[0].contains(" rustc="), "{}", log[0]);
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");

    let (status, headers, body) = http_get(&addr, "/buildinfo");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-type: application/json"), "{headers}");
    // `build` is the binary's own --build-info=json, byte for byte.
    let prefix = format!("{{\"build\":{},\"runtime\":{{", own.trim_end());
    assert!(body.starts_with(prefix.as_bytes()), "{}", String::from_utf8_lossy(&body));
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["build"], serde_json::from_str::<serde_json::Value>(&own).unwrap());
    assert_eq!(body["runtime"]["cpu_supported"], true);

    let (status, headers, metrics) = http_get(&addr, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    // The exposition format's media type, as Prometheus documents it.
    assert!(headers.lines().any(|l| l == "content-type: text/plain; version=0.0.4; charset=utf-8"), "{headers}");
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(metrics.contains("# TYPE profile_info_examples_build_info gauge\n"), "{metrics}");
    assert!(
        metrics.contains("profile_info_examples_build_info{version=\"0.0.0\",") && metrics.ends_with("} 1\n"),
        "{metrics}"
    );

    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit after SIGTERM: {status}");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.ends_with("shut down")), "{rest:?}");
}

#[test]
fn cli_example_uses_clap() {
    let binary = build_example("cli");
    let out = run(&binary, &["-V"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cli 0.0.0\n");
    let out = run(&binary, &["--version"]);
    let long = String::from_utf8(out.stdout).unwrap();
    assert!(long.starts_with("cli 0.0.0\ncrate:       bin ("), "{long}");
    assert!(long.contains("\nprofile:     dev (opt-level 0"), "{long}");
    assert!(long.contains("\nrustc:       "), "{long}");
    // Exclusive: no NAME needed.
    let json = run(&binary, &["--build-info=json"]);
    assert!(json.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["package"]["name"], "profile-info-examples");
    let text = run(&binary, &["--build-info"]);
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("profile-info-examples 0.0.0\n"));
    assert!(!run(&binary, &["--build-info", "world"]).status.success(), "exclusive");
    // The format needs `=`: the next word is not swallowed as a format but stays the positional
    // NAME, which the exclusive flag refuses; no `invalid value` complaint about the format.
    let bob = run(&binary, &["--build-info", "bob"]);
    let err = String::from_utf8_lossy(&bob.stderr);
    assert_eq!(bob.status.code(), Some(2), "{err}");
    assert!(bob.stdout.is_empty(), "nothing printed: {:?}", String::from_utf8_lossy(&bob.stdout));
    assert!(err.contains("cannot be used with") && !err.contains("invalid value"), "{err}");
    assert!(run(&binary, &["--build-info", "json"]).stdout.is_empty(), "no JSON without `=`");
    assert!(!run(&binary, &[]).status.success(), "NAME is required");
    assert_eq!(String::from_utf8_lossy(&run(&binary, &["world"]).stdout), "hello, world\n");
}

#[test]
fn log_option_prints_one_startup_line() {
    let main = "#[profile_info::main(log)]\nfn main() {\n    println!(\"ran\");\n}\n";
    let build = Fixture::new("log-app", main, "").build(&[], &[]);
    let out = run(&build.binary, &[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("log-app 0.1.0; crate: bin (schema 3, features none, dependencies listed); profile: dev (opt-level 0, lto off, codegen-units 256, panic unwind, "),
        "{stderr}"
    );
}
