//! Helpers for clap 4 (feature `clap`).

/// An exclusive `--build-info[=text|json]` argument: when present, clap skips required-argument
/// checks, so `app --build-info` works even when `app` has required arguments.
pub fn arg() -> clap::Arg {
    clap::Arg::new("build-info")
        .long("build-info")
        .help("Print how this binary was built (text or json) and exit")
        .value_name("FORMAT")
        .num_args(0..=1)
        .default_missing_value("text")
        .value_parser(["text", "json"])
        .exclusive(true)
}

/// The summary as a `&'static str`, for `Command::long_version` (which needs one).
pub fn long_version(info: &'static crate::BuildInfo) -> &'static str {
    // Only a document that was not compiled in renders at run time; leak its one rendering.
    info.text().unwrap_or_else(|| Box::leak(info.to_string().into_boxed_str()))
}
