use std::fmt::Display;

fn kv(key: &str, value: Option<impl Display>) {
    match value {
        Some(v) => println!("{key}={v}"),
        None => println!("{key}="),
    }
}

#[profile_info::main]
fn main() {
    println!("hello");
    let i = profile_info::current().expect("set by #[profile_info::main]");
    let (p, t, r) = (&i.profile, &i.target, &i.rustc);
    kv("schema", Some(i.schema));
    kv("crate_type", i.crate_type.as_deref());
    kv("package.name", i.package.name.as_deref());
    kv("package.version", i.package.version.as_deref());
    kv("profile.name", p.name.as_deref());
    kv("profile.opt_level", p.opt_level);
    kv("profile.debuginfo", p.debuginfo);
    kv("profile.strip", p.strip);
    kv("profile.lto", p.lto);
    kv("profile.codegen_units", p.codegen_units);
    kv("profile.panic", p.panic);
    kv("profile.debug_assertions", p.debug_assertions);
    kv("profile.overflow_checks", p.overflow_checks);
    kv("profile.incremental", p.incremental);
    kv("target.triple", t.triple.as_deref());
    kv("target.cpu", t.cpu.as_deref());
    kv("target.features", t.features.as_ref().map(|f| f.join(",")));
    kv("target.level", t.level.as_deref());
    kv("rustc.version", r.version.as_deref());
    kv("rustc.channel", r.channel.as_deref());
    kv("rustc.commit_hash", r.commit_hash.as_deref());
    kv("rustc.commit_date", r.commit_date.as_deref());
    kv("rustc.llvm_version", r.llvm_version.as_deref());
    kv("rustc.host", r.host.as_deref());
    kv("vcs.revision", i.vcs.as_ref().and_then(|v| v.revision.as_deref()));
    kv("vcs.dirty", i.vcs.as_ref().and_then(|v| v.dirty));
}
