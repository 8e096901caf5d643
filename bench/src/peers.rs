//! The variants the benchmark builds: a plain hello world, the same with each peer crate, and with
//! profile-info; what each prints is in `bench/peers/`, and which of its keys holds each fact is here.

/// A fact about the build that a crate may report, checked against the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The cargo profile's name.
    Profile,
    /// `opt-level`.
    OptLevel,
    /// `lto`.
    Lto,
    /// `codegen-units`.
    CodegenUnits,
    /// `strip`.
    Strip,
    /// `panic`.
    Panic,
    /// `-C target-cpu`.
    TargetCpu,
    /// The target features enabled.
    Features,
    /// rustc's release.
    Rustc,
    /// The package's git revision.
    Revision,
}

impl Fact {
    /// Every fact, in the table's order.
    pub const ALL: [Fact; 10] = [
        Fact::Profile,
        Fact::OptLevel,
        Fact::Lto,
        Fact::CodegenUnits,
        Fact::Strip,
        Fact::Panic,
        Fact::TargetCpu,
        Fact::Features,
        Fact::Rustc,
        Fact::Revision,
    ];

    /// Its name in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Fact::Profile => "profile",
            Fact::OptLevel => "opt-level",
            Fact::Lto => "lto",
            Fact::CodegenUnits => "codegen-units",
            Fact::Strip => "strip",
            Fact::Panic => "panic",
            Fact::TargetCpu => "target-cpu",
            Fact::Features => "features",
            Fact::Rustc => "rustc",
            Fact::Revision => "revision",
        }
    }
}

/// One hello-world package.
#[derive(Debug)]
pub struct Peer {
    /// The variant's name (its package is `bench-NAME`).
    pub name: &'static str,
    /// The crate whose locked version the table shows; `None` for plain.
    pub krate: Option<&'static str>,
    /// Manifest text for its dependencies; `{root}` is the workspace root.
    pub deps: &'static str,
    /// Its `build.rs`, if it needs one.
    pub build_rs: Option<&'static str>,
    /// Its `main.rs`: prints `hello` and everything the crate offers as `key=value`.
    pub main_rs: &'static str,
    /// Built with `-C target-cpu=x86-64-v3` (and compared with `plain-v3`).
    pub v3: bool,
    /// Which output key holds each fact; a fact not listed is one the crate does not report.
    pub keys: &'static [(Fact, &'static str)],
    /// A column of the facts table.
    pub in_facts: bool,
}

const PROFILE_INFO_KEYS: &[(Fact, &str)] = &[
    (Fact::Profile, "profile.name"),
    (Fact::OptLevel, "profile.opt_level"),
    (Fact::Lto, "profile.lto"),
    (Fact::CodegenUnits, "profile.codegen_units"),
    (Fact::Strip, "profile.strip"),
    (Fact::Panic, "profile.panic"),
    (Fact::TargetCpu, "target.cpu"),
    (Fact::Features, "target.features"),
    (Fact::Rustc, "rustc.version"),
    (Fact::Revision, "vcs.revision"),
];

const PLAIN: &str = include_str!("../peers/plain.main.rs");
const PROFILE_INFO: &str = include_str!("../peers/profile-info.main.rs");
const PROFILE_INFO_DEP: &str = "[dependencies]\nprofile-info = { path = \"{root}/profile-info\" }\n";

/// Every variant, in the order the tables list them.
pub const PEERS: [Peer; 10] = [
    Peer { name: "plain", krate: None, deps: "", build_rs: None, main_rs: PLAIN, v3: false, keys: &[], in_facts: true },
    Peer {
        name: "built",
        krate: Some("built"),
        deps: "[build-dependencies]\nbuilt = \"0.8\"\n",
        build_rs: Some(include_str!("../peers/built.build.rs")),
        main_rs: include_str!("../peers/built.main.rs"),
        v3: false,
        keys: &[(Fact::Profile, "PROFILE"), (Fact::OptLevel, "OPT_LEVEL"), (Fact::Rustc, "RUSTC_VERSION")],
        in_facts: true,
    },
    Peer {
        name: "vergen",
        krate: Some("vergen"),
        deps: "[build-dependencies]\nvergen = { version = \"9\", features = [\"build\", \"cargo\", \"rustc\"] }\n",
        build_rs: Some(include_str!("../peers/vergen.build.rs")),
        main_rs: include_str!("../peers/vergen.main.rs"),
        v3: false,
        keys: &[(Fact::OptLevel, "VERGEN_CARGO_OPT_LEVEL"), (Fact::Rustc, "VERGEN_RUSTC_SEMVER")],
        in_facts: true,
    },
    Peer {
        name: "shadow-rs",
        krate: Some("shadow-rs"),
        deps: "[dependencies]\nshadow-rs = \"2\"\n\n[build-dependencies]\nshadow-rs = \"2\"\n",
        build_rs: Some(include_str!("../peers/shadow-rs.build.rs")),
        main_rs: include_str!("../peers/shadow-rs.main.rs"),
        v3: false,
        keys: &[(Fact::Profile, "BUILD_RUST_CHANNEL"), (Fact::Rustc, "RUST_VERSION"), (Fact::Revision, "COMMIT_HASH")],
        in_facts: true,
    },
    Peer {
        name: "build-info",
        krate: Some("build-info"),
        deps: "[dependencies]\nbuild-info = \"0.0.47\"\n\n[build-dependencies]\nbuild-info-build = \"0.0.47\"\n",
        build_rs: Some(include_str!("../peers/build-info.build.rs")),
        main_rs: include_str!("../peers/build-info.main.rs"),
        v3: false,
        keys: &[
            (Fact::Profile, "profile"),
            (Fact::OptLevel, "optimization_level"),
            (Fact::Features, "target.cpu.features"),
            (Fact::Rustc, "compiler.version"),
            (Fact::Revision, "version_control.git.commit_id"),
        ],
        in_facts: true,
    },
    Peer {
        name: "profile-info",
        krate: Some("profile-info"),
        deps: PROFILE_INFO_DEP,
        build_rs: None,
        main_rs: PROFILE_INFO,
        v3: false,
        keys: PROFILE_INFO_KEYS,
        in_facts: true,
    },
    Peer {
        name: "profile-info-bare",
        krate: Some("profile-info"),
        deps: PROFILE_INFO_DEP,
        build_rs: None,
        main_rs: include_str!("../peers/profile-info-bare.main.rs"),
        v3: false,
        keys: PROFILE_INFO_KEYS,
        in_facts: false,
    },
    // The same without the `.dep-v0` dependency list: what the list costs in size and build time.
    Peer {
        name: "profile-info-bare-no-deps",
        krate: Some("profile-info"),
        deps: PROFILE_INFO_DEP,
        build_rs: None,
        main_rs: include_str!("../peers/profile-info-bare-no-deps.main.rs"),
        v3: false,
        keys: PROFILE_INFO_KEYS,
        in_facts: false,
    },
    Peer {
        name: "plain-v3",
        krate: None,
        deps: "",
        build_rs: None,
        main_rs: PLAIN,
        v3: true,
        keys: &[],
        in_facts: false,
    },
    Peer {
        name: "profile-info-v3",
        krate: Some("profile-info"),
        deps: PROFILE_INFO_DEP,
        build_rs: None,
        main_rs: PROFILE_INFO,
        v3: true,
        keys: PROFILE_INFO_KEYS,
        in_facts: true,
    },
];

/// The variants `--quick` builds.
pub const QUICK: [&str; 2] = ["plain", "profile-info"];

/// The plain hello world `peer` is compared with: built the same way.
pub fn baseline(peer: &Peer) -> &'static str {
    if peer.v3 {
        "plain-v3"
    } else {
        "plain"
    }
}

/// The peer named `name`.
pub fn peer(name: &str) -> Option<&'static Peer> {
    PEERS.iter().find(|p| p.name == name)
}

/// The variants to build: all, `--quick`'s, or `--only`'s with their baselines, in table order.
pub fn select(quick: bool, only: Option<&[String]>) -> Result<Vec<&'static Peer>, String> {
    let pool: Vec<&Peer> = PEERS.iter().filter(|p| !quick || QUICK.contains(&p.name)).collect();
    let Some(wanted) = only else { return Ok(pool) };
    if let Some(bad) = wanted.iter().find(|w| !pool.iter().any(|p| p.name == w.as_str())) {
        let names: Vec<&str> = pool.iter().map(|p| p.name).collect();
        return Err(format!("--only: {bad} is not one of: {}", names.join(" ")));
    }
    Ok(pool
        .into_iter()
        .filter(|p| wanted.iter().any(|w| p.name == w.as_str() || peer(w).is_some_and(|w| baseline(w) == p.name)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_keep_their_baselines() {
        let names = |v: Vec<&Peer>| v.iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(select(true, None).unwrap()), ["plain", "profile-info"]);
        assert_eq!(names(select(false, None).unwrap()).len(), 10);
        let only = ["vergen".to_owned(), "profile-info-v3".to_owned()];
        assert_eq!(names(select(false, Some(&only)).unwrap()), ["plain", "vergen", "plain-v3", "profile-info-v3"]);
        assert_eq!(
            select(true, Some(&["vergen".to_owned()])).unwrap_err(),
            "--only: vergen is not one of: plain profile-info"
        );
    }

    #[test]
    fn each_fact_has_one_key_per_crate() {
        for p in &PEERS {
            for fact in Fact::ALL {
                assert!(p.keys.iter().filter(|(f, _)| *f == fact).count() <= 1, "{}: {}", p.name, fact.name());
            }
        }
    }
}
