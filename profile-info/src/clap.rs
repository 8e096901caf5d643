//! Helpers for clap 4 (feature `clap`).

/// An exclusive `--build-info[=text|json]` argument: when present, clap skips required-argument
/// checks, so `app --build-info` works even when `app` has required arguments. The format is
/// given with `=` only: `app --build-info json` is `--build-info` followed by the positional
/// `json`, which clap refuses (the argument is exclusive) rather than reading it as the format.
pub fn arg() -> clap::Arg {
    clap::Arg::new("build-info")
        .long("build-info")
        .help("Print how this binary was built (text or json) and exit")
        .value_name("FORMAT")
        .num_args(0..=1)
        // Without it an optional value swallows the next word: `--build-info bob` took `bob` as
        // the format.
        .require_equals(true)
        .default_missing_value("text")
        .value_parser(["text", "json"])
        .exclusive(true)
}

/// The summary as a `&'static str`, for `Command::long_version` (which needs one), without the
/// package name clap already prints first: `app -V` shows `app 0.3.1`, `app --version` the same
/// line followed by the profile, checks, target, features, rustc and vcs lines.
pub fn long_version(info: &'static crate::BuildInfo) -> &'static str {
    // Only a document that was not compiled in renders at run time; leak its one rendering.
    let text: &'static str = info.text().unwrap_or_else(|| Box::leak(info.to_string().into_boxed_str()));
    // The first line is `name version`; package names have no spaces.
    text.split_once(' ').map_or(text, |(_, from_version)| from_version).trim_end()
}

/// When `matches` holds [`arg()`], prints `info` in the asked format and returns the exit code
/// for `std::process::exit`; `None` when the argument is absent.
///
/// ```
/// let info = profile_info::build_info!();
/// let cmd = clap::Command::new("app").arg(profile_info::clap::arg());
/// let matches = cmd.get_matches_from(["app"]);
/// assert_eq!(profile_info::clap::handle(info, &matches), None);
/// ```
pub fn handle(info: &crate::BuildInfo, matches: &clap::ArgMatches) -> Option<i32> {
    let json = matches.get_one::<String>("build-info")? == "json";
    Some(crate::cli::print(info, json))
}
