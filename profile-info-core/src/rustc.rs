//! What `rustc -vV` says of a compiler, read once here for the proc macro, the CLI and the
//! benchmark.

/// `rustc -vV`'s answer, borrowed from its text.
#[derive(Debug, PartialEq, Eq)]
pub struct Version<'a> {
    /// `release:`, such as `1.95.0` or `1.97.0-nightly`.
    pub release: &'a str,
    /// The release's major and minor numbers.
    pub major_minor: Option<(u32, u32)>,
    /// `stable`, `beta`, `nightly` or `dev`, from the release's suffix.
    pub channel: &'static str,
    /// `commit-hash:`; `None` where rustc prints `unknown` (a compiler built from a source tarball).
    pub commit_hash: Option<&'a str>,
    /// `commit-date:`; `None` where rustc prints `unknown`.
    pub commit_date: Option<&'a str>,
    /// `host:`, the compiler's own target triple.
    pub host: &'a str,
    /// `LLVM version:`, such as `22.1.2`.
    pub llvm: Option<&'a str>,
}

impl<'a> Version<'a> {
    /// `None` unless the text names a release and a host.
    ///
    /// ```
    /// let v = profile_info_core::rustc::Version::parse("release: 1.96.0-beta.3\nhost: x86_64-unknown-linux-gnu\n");
    /// assert_eq!(v.map(|v| (v.channel, v.host)), Some(("beta", "x86_64-unknown-linux-gnu")));
    /// ```
    // `inline`: compiled into the tools that call it rather than into this crate, which every
    // debug build of a program links.
    #[inline]
    pub fn parse(text: &'a str) -> Option<Version<'a>> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
                .map(str::trim)
                .filter(|v| *v != "unknown")
        };
        let release = field("release")?;
        let mut numbers = release.split(['.', '-']).map(str::parse::<u32>);
        let major_minor = match (numbers.next(), numbers.next()) {
            (Some(Ok(major)), Some(Ok(minor))) => Some((major, minor)),
            _ => None,
        };
        let channel = ["nightly", "beta", "dev"].into_iter().find(|c| release.contains(c)).unwrap_or("stable");
        Some(Version {
            release,
            major_minor,
            channel,
            commit_hash: field("commit-hash"),
            commit_date: field("commit-date"),
            host: field("host")?,
            llvm: field("LLVM version"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded from rustc 1.95 and a nightly; a source-built compiler prints `unknown` hashes.
    #[test]
    fn version_as_rustc_prints_it() {
        let stable = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: \
                      59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: \
                      x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";
        let v = Version::parse(stable).unwrap();
        assert_eq!(
            v,
            Version {
                release: "1.95.0",
                major_minor: Some((1, 95)),
                channel: "stable",
                commit_hash: Some("59807616e1fa2540724bfbac14d7976d7e4a3860"),
                commit_date: Some("2026-04-14"),
                host: "x86_64-unknown-linux-gnu",
                llvm: Some("22.1.2"),
            }
        );
        let nightly = "rustc 1.97.0-nightly\nbinary: rustc\ncommit-hash: unknown\ncommit-date: unknown\n\
                       host: aarch64-apple-darwin\nrelease: 1.97.0-nightly\n";
        let v = Version::parse(nightly).unwrap();
        assert_eq!((v.channel, v.major_minor, v.commit_hash, v.llvm), ("nightly", Some((1, 97)), None, None));
        assert_eq!(Version::parse("release: 1.96.0-beta.3\nhost: x\n").unwrap().channel, "beta");
        assert_eq!(Version::parse("rustc 1.95.0\n"), None, "no release line");
    }
}
