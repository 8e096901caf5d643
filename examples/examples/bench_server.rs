//! The server `bash scripts/bench.sh http` measures (and `http --soak`): on 127.0.0.1:$PORT,
//! `/buildinfo` from profile-info and `/static`, a plain axum handler returning a `&'static str` of
//! the same bytes — the fastest thing axum can answer with a body of that size, so the ratio is
//! profile-info's own cost — and `/static-headers`, the same string with `/buildinfo`'s headers (a
//! `HeaderMap` built once and cloned), which splits that cost into the headers the endpoint must
//! send and everything else.
//!
//! Every heap allocation of the process is counted (a global allocator wrapping the system's):
//! `/allocs` answers the count so far, and at startup the server prints its process id (`pid N`,
//! whose `/proc/N/status` the soak reads the server's memory from) and how many allocations a
//! million calls of profile-info's handler make, alone (`serve::Endpoint::respond`) and as the
//! tower service axum runs (`tower::BuildInfoService`, whose `http::Response` is the framework's
//! type), and a hundred thousand requests to each route through axum's `Router`
//! in-process.

use profile_info::serve::{Config, Method};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting allocations (`alloc` and `realloc`; frees are not counted).
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed to `System` unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `calls` runs of `f`, after as many runs to warm up.
fn allocations(calls: u64, mut f: impl FnMut()) -> u64 {
    for _ in 0..calls {
        f();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..calls {
        f();
    }
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[profile_info::main]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    println!("pid {}", std::process::id());
    let endpoint = Config::new().endpoint();

    const CALLS: u64 = 1_000_000;
    let accept = [b"application/json".as_slice()];
    let handler = allocations(CALLS, || {
        std::hint::black_box(endpoint.respond(Method::Get, [], std::hint::black_box(accept)));
    });
    let mut service = profile_info::tower::BuildInfoService::new();
    let request = axum::http::Request::get("/buildinfo").body(()).expect("a valid request");
    // The request is cloned for each call (the service takes it by value): counted apart.
    let clone = allocations(CALLS, || {
        std::hint::black_box(std::hint::black_box(&request).clone());
    });
    let tower = allocations(CALLS, || {
        let future = tower_service::Service::call(&mut service, std::hint::black_box(&request).clone());
        std::hint::black_box(future.into_inner().expect("infallible"));
    }) - clone;
    println!("allocations in {CALLS} calls: serve::Endpoint::respond {handler}, tower::BuildInfoService {tower}");

    let same: &'static str = std::str::from_utf8(endpoint.json()).expect("JSON is UTF-8");
    let mut headers = axum::http::HeaderMap::new();
    for &(name, value) in endpoint.respond(Method::Get, [], None).headers() {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    let app = axum::Router::new()
        .merge(profile_info::axum::router())
        .route("/static", axum::routing::get(move || async move { same }))
        .route("/static-headers", axum::routing::get(move || async move { (headers.clone(), same) }))
        .route("/allocs", axum::routing::get(|| async { ALLOCATIONS.load(Ordering::Relaxed).to_string() }));
    // The same routes called in-process through axum's `Router`, the body collected: what the
    // router and the handler allocate, without hyper's connection handling.
    const ROUTED: u64 = 100_000;
    let mut routed = Vec::new();
    for path in ["/static", "/buildinfo", "/static-headers"] {
        let mut before = 0;
        for i in 0..2 * ROUTED {
            if i == ROUTED {
                before = ALLOCATIONS.load(Ordering::Relaxed);
            }
            let request = axum::http::Request::get(path).body(axum::body::Body::empty()).expect("a valid request");
            let response = tower_service::Service::call(&mut app.clone(), request).await.expect("infallible");
            std::hint::black_box(axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a full body"));
        }
        // Building the request is counted too: the same for both routes.
        routed.push(format!("{path} {}", ALLOCATIONS.load(Ordering::Relaxed) - before));
    }
    println!("allocations in {ROUTED} calls of axum's Router, in-process: {}", routed.join(", "));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
