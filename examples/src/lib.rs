//! Examples of profile-info; run them from the repository root with `cargo run --example NAME`:
//!
//! - `service`: axum, `/buildinfo` and `/metrics` on 127.0.0.1:$PORT (default 3000), one startup
//!   log line, clean stop on Ctrl-C / SIGTERM — `cargo run --release --example service`;
//! - `actix_service`: the same with actix-web 4;
//! - `cli`: clap 4 with `--build-info` and the build summary in `--version`;
//! - `hello`: the smallest use — `cargo run --release --example hello -- --build-info`;
//! - `bench_server`: what `bash scripts/bench.sh http` measures.
