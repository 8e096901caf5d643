build_info::build_info!(fn build_info);

fn main() {
    println!("hello");
    let b = build_info();
    let c = &b.crate_info;
    let t = &b.target;
    let r = &b.compiler;
    println!("timestamp={}", b.timestamp);
    println!("profile={}", b.profile);
    println!("optimization_level={}", b.optimization_level);
    println!("crate_info.name={}", c.name);
    println!("crate_info.version={}", c.version);
    println!("crate_info.authors={}", c.authors.join(","));
    println!("crate_info.license={}", c.license.as_deref().unwrap_or(""));
    println!("crate_info.enabled_features={}", c.enabled_features.join(","));
    println!("crate_info.available_features={}", c.available_features.join(","));
    let deps: Vec<String> = c.dependencies.iter().map(|d| d.to_string()).collect();
    println!("crate_info.dependencies={}", deps.join(","));
    println!("target.triple={}", t.triple);
    println!("target.family={}", t.family);
    println!("target.os={}", t.os);
    println!("target.cpu.arch={}", t.cpu.arch);
    println!("target.cpu.pointer_width={}", t.cpu.pointer_width);
    println!("target.cpu.endianness={:?}", t.cpu.endianness);
    println!("target.cpu.features={}", t.cpu.features.join(","));
    println!("compiler.version={}", r.version);
    println!("compiler.commit_id={}", r.commit_id.as_deref().unwrap_or(""));
    println!("compiler.commit_date={}", r.commit_date.map(|d| d.to_string()).unwrap_or_default());
    println!("compiler.channel={:?}", r.channel);
    println!("compiler.host_triple={}", r.host_triple);
    if let Some(git) = b.version_control.as_ref().and_then(|v| v.git()) {
        println!("version_control.git.commit_id={}", git.commit_id);
        println!("version_control.git.commit_short_id={}", git.commit_short_id);
        println!("version_control.git.commit_timestamp={}", git.commit_timestamp);
        println!("version_control.git.dirty={}", git.dirty);
        println!("version_control.git.branch={}", git.branch.as_deref().unwrap_or(""));
        println!("version_control.git.tags={}", git.tags.join(","));
    }
}
