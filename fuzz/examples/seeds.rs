//! Writes the seed corpora under `fuzz/seeds/<target>/` from real things: binaries cargo builds
//! with profile-info under several profiles (with the integration tests' harness), their
//! sections, the JSON they print, the rustc command lines cargo gave for them, and the request
//! headers real HTTP clients send. `scripts/fuzz.sh` runs it before fuzzing.

use object::{Object, ObjectSection};
use profile_info_tests::{run, Fixture, PROFILES};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MAIN: &str = "#[profile_info::main]\nfn main() {\n    println!(\"seed\");\n}\n";

/// Environment variables of a build.
type Env = &'static [(&'static str, &'static str)];

/// `(cargo arguments, environment)` of each build: the custom profiles and a target CPU.
const BUILDS: &[(&[&str], Env)] = &[
    (&["--release"], &[]),
    (&["--profile", "production"], &[]),
    (&["--profile", "tiny"], &[("RUSTFLAGS", "-Ctarget-cpu=x86-64-v3")]),
    (
        &["--profile", "lines", "--target", "x86_64-unknown-linux-gnu"],
        &[("RUSTFLAGS", "-Ctarget-feature=+avx2,-sse4.2")],
    ),
];

/// Accept headers real clients send, from each one's source: Firefox's default for documents
/// (network.http.accept), Chrome's, and Prometheus 2's scrape request (scrape/scrape.go).
const KNOWN_ACCEPT: &[&str] = &[
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
];

fn main() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let fixture = Fixture::new("fuzz-seed", MAIN, PROFILES);
    let plain = Fixture::new("fuzz-seed-plain", "fn main() {}\n", "[profile.release]\nstrip = true\n");
    let mut n = 0;
    for (args, env) in BUILDS {
        let build = fixture.build(args, env);
        n += 1;
        let binary = std::fs::read(&build.binary).expect("read the binary");
        // libFuzzer cuts inputs to 1 MiB: a longer file (with debug info) would lose its section
        // headers, so it seeds the section corpus only.
        if binary.len() <= 1 << 20 {
            write(&seeds, "read_binary", n, &binary);
            write(&seeds, "file_facts", n, &binary);
        }
        let section = profile_info_section(&binary);
        write(&seeds, "read_section", n, &section);
        let json = run(&build.binary, &["--build-info=json"]).stdout;
        let mut check = b"profile.lto=fat\nprofile.codegen_units=1\ntarget.level=x86-64-v3\ntarget.features=avx,avx2\n\
            vcs.dirty=false\nprofile=release\nnot.a.key=1\n=x\nnothing\n\
            profile.lto=true\nprofile.strip=true\nprofile.pgo=use\ntarget.arch=x86_64\n\0"
            .to_vec();
        check.extend_from_slice(&json);
        write(&seeds, "check_require", n, &check);
        write(&seeds, "rustc_flags", n, build.rustc_args.join("\n").as_bytes());
    }
    let plain = std::fs::read(plain.build(&["--release"], &[]).binary).expect("read");
    write(&seeds, "read_binary", 0, &plain);
    write(&seeds, "file_facts", 0, &plain);
    for (i, block) in client_requests().iter().enumerate() {
        write(&seeds, "http_headers", i, block);
    }
    for (i, accept) in KNOWN_ACCEPT.iter().enumerate() {
        write(&seeds, "http_headers", 100 + i, format!("Accept: {accept}\r\n").as_bytes());
    }
}

fn write(seeds: &Path, target: &str, n: usize, bytes: &[u8]) {
    let dir = seeds.join(target);
    std::fs::create_dir_all(&dir).expect("create the seed directory");
    std::fs::write(dir.join(format!("seed-{n}")), bytes).expect("write a seed");
}

fn profile_info_section(binary: &[u8]) -> Vec<u8> {
    let file = object::File::parse(binary).expect("an ELF file");
    let section = file.section_by_name(".profile_info").expect("the binary has the section");
    section.data().expect("section data").to_vec()
}

/// The header blocks curl and wget send: plain, asking for text, and revalidating with the ETag
/// they were given (curl's `--etag-save`/`--etag-compare`, wget has no such option).
fn client_requests() -> Vec<Vec<u8>> {
    let server = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}/buildinfo", server.local_addr().expect("address"));
    let etags = std::env::temp_dir().join(format!("profile-info-fuzz-etag-{}", std::process::id()));
    let etags = etags.to_str().expect("UTF-8 temp dir");
    let clients: [Vec<&str>; 6] = [
        vec!["curl", "-s", &url],
        vec!["curl", "-s", "-H", "Accept: text/plain", &url],
        vec!["curl", "-s", "-H", "Accept: text/plain;q=0.9, application/json;q=0.1", &url],
        vec!["curl", "-s", "--etag-save", etags, &url],
        vec!["curl", "-s", "--etag-compare", etags, &url],
        vec!["wget", "-q", "-O", "/dev/null", "--tries=1", &url],
    ];
    let mut blocks = Vec::new();
    for client in clients {
        let mut child =
            Command::new(client[0]).args(&client[1..]).stdout(Stdio::null()).spawn().expect("run the HTTP client");
        let (mut stream, _) = server.accept().expect("the client connects");
        let mut block = Vec::new();
        let mut buf = [0; 4096];
        while !block.ends_with(b"\r\n\r\n") {
            match stream.read(&mut buf).expect("read the request") {
                0 => break,
                len => block.extend_from_slice(&buf[..len]),
            }
        }
        let reply = "HTTP/1.1 200 OK\r\nETag: \"5eed\"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        stream.write_all(reply.as_bytes()).expect("answer");
        drop(stream);
        assert!(child.wait().expect("client exits").success(), "{client:?} failed");
        blocks.push(block);
    }
    let _ = std::fs::remove_file(PathBuf::from(etags));
    blocks
}
