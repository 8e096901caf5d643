mod built_info {
    include!(concat!(env!("OUT_DIR"), "/built.rs"));
}

macro_rules! kv {
    ($($name:ident),*) => { $(println!("{}={}", stringify!($name), built_info::$name);)* };
}

fn main() {
    println!("hello");
    kv!(PKG_NAME, PKG_VERSION, PKG_VERSION_MAJOR, PKG_VERSION_MINOR, PKG_VERSION_PATCH, PKG_VERSION_PRE,
        PKG_AUTHORS, PKG_DESCRIPTION, PKG_HOMEPAGE, PKG_LICENSE, PKG_REPOSITORY, TARGET, HOST, PROFILE,
        RUSTC, RUSTDOC, OPT_LEVEL, NUM_JOBS, DEBUG, FEATURES_STR, FEATURES_LOWERCASE_STR, RUSTC_VERSION,
        RUSTDOC_VERSION, CFG_TARGET_ARCH, CFG_ENDIAN, CFG_ENV, CFG_FAMILY, CFG_OS, CFG_POINTER_WIDTH);
    println!("CI_PLATFORM={}", built_info::CI_PLATFORM.unwrap_or(""));
}
