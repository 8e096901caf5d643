//! Helpers for clap 4 (feature `clap`).

/// An exclusive `--build-info[=text|json]` argument: when present, clap skips required-argument
/// checks, so `app --build-info` works even when `app` has required arguments. The format is
/// given with `=` only: `app --build-info json` is `--build-info` followed by the positional
/// `json`, which clap refuses (the argument is exclusive) rather than reading it as the format.
#[inline]
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

/// The summary as a `&'static str`, for `Command::long_version` (which needs one): the package
/// version (clap prints the name before it), then the summary's lines after the package line
/// ([`crate::render::details`]: profile, checks, target, features, rustc, vcs). Each call
/// renders and leaks one string: call it once, where the `Command` is built.
#[inline]
pub fn long_version(info: &crate::BuildInfo) -> &'static str {
    let version = info.package.version.as_deref().unwrap_or("unknown");
    Box::leak(format!("{version}\n{}", crate::render::details(info).trim_end()).into_boxed_str())
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
#[inline]
pub fn handle(info: &crate::BuildInfo, matches: &clap::ArgMatches) -> Option<i32> {
    let json = matches.get_one::<String>("build-info")? == "json";
    Some(match (json, info.json(), info.text()) {
        (true, Some(compiled), _) => profile_info_start::print(compiled.as_bytes(), b"\n"),
        (false, _, Some(compiled)) => profile_info_start::print(compiled.as_bytes(), b""),
        // A document made at run time is rendered now.
        (true, None, _) => profile_info_start::print(crate::render::json(info).as_bytes(), b"\n"),
        (false, _, None) => profile_info_start::print(crate::render::text(info).as_bytes(), b""),
    })
}
