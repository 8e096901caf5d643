//! The server `scripts/bench/http.sh` measures: on 127.0.0.1:$PORT, `/buildinfo` from profile-info
//! and `/static`, a plain axum handler returning a `&'static str` of the same bytes — the fastest
//! thing axum can answer with a body of that size, so the ratio is profile-info's own cost — and
//! `/static-headers`, the same string with `/buildinfo`'s headers (a `HeaderMap` built once and
//! cloned), which splits that cost into the headers the endpoint must send and everything else.

#[profile_info::main]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    let endpoint = profile_info::serve::Config::new().endpoint();
    let same: &'static str = std::str::from_utf8(endpoint.json()).expect("JSON is UTF-8");
    let mut headers = axum::http::HeaderMap::new();
    for &(name, value) in endpoint.respond(profile_info::serve::Method::Get, [], None).headers() {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    let app = axum::Router::new()
        .merge(profile_info::axum::router())
        .route("/static", axum::routing::get(move || async move { same }))
        .route("/static-headers", axum::routing::get(move || async move { (headers.clone(), same) }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
