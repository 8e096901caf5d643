macro_rules! kv {
    ($($name:literal),*) => { $(println!("{}={}", $name, option_env!($name).unwrap_or(""));)* };
}

fn main() {
    println!("hello");
    kv!("VERGEN_BUILD_DATE", "VERGEN_BUILD_TIMESTAMP", "VERGEN_CARGO_DEBUG", "VERGEN_CARGO_DEPENDENCIES",
        "VERGEN_CARGO_FEATURES", "VERGEN_CARGO_OPT_LEVEL", "VERGEN_CARGO_TARGET_TRIPLE",
        "VERGEN_RUSTC_CHANNEL", "VERGEN_RUSTC_COMMIT_DATE", "VERGEN_RUSTC_COMMIT_HASH",
        "VERGEN_RUSTC_HOST_TRIPLE", "VERGEN_RUSTC_LLVM_VERSION", "VERGEN_RUSTC_SEMVER");
}
