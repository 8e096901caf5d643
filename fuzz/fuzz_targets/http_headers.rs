//! `/buildinfo`'s reading of `Accept` and `If-None-Match` (profile_info::serve), through the
//! public `Endpoint::respond` every framework adapter calls. Input: a request's header block,
//! `Name: value` lines as a client sends them; the two headers are picked out by name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_info::serve::{Config, Endpoint, Method};

fuzz_target!(|data: &[u8]| {
    let mut accept = Vec::new();
    let mut if_none_match = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"accept") {
            accept.push(value);
        } else if name.eq_ignore_ascii_case(b"if-none-match") {
            if_none_match.push(value);
        }
    }
    let accept = accept.first().copied();
    for method in [Method::Get, Method::Head] {
        let reply = endpoint().respond(method, if_none_match.iter().copied(), accept);
        assert!(matches!(reply.status(), 200 | 304), "status {}", reply.status());
        let etag = header(reply.headers(), "etag");
        // RFC 9110 §13.1.2: the representation's own tag, strong or weak, always matches; with no
        // If-None-Match there is nothing to match.
        for tag in [etag.to_owned(), format!("W/{etag}")] {
            assert_eq!(endpoint().respond(method, [tag.as_bytes()], accept).status(), 304, "{tag}");
        }
        assert_eq!(endpoint().respond(method, [], accept).status(), 200);
        if reply.status() == 200 {
            assert_eq!(reply.content_length(), reply.body().len().to_string());
        }
    }
});

fn endpoint() -> &'static Endpoint {
    Config::new().info(profile_info::build_info!()).endpoint()
}

fn header(headers: &'static [(&str, &'static str)], name: &str) -> &'static str {
    headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).expect("every 200 and 304 carries it")
}
