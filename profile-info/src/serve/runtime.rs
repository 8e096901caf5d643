//! The `runtime` section: facts about the host and the process, measured once when an endpoint
//! is built.

use crate::render::Quoted;
use crate::BuildInfo;
use std::fmt::Write;

/// The runtime section, measured once.
pub(super) struct Runtime {
    host: crate::cpu::Host,
    missing: Vec<crate::cpu::Missing>,
    started_at: String,
}

impl Runtime {
    #[inline]
    pub(super) fn now(info: &BuildInfo) -> Runtime {
        Runtime {
            host: crate::cpu::host(),
            missing: crate::cpu::missing_for(info),
            started_at: crate::render::rfc3339(process_start()),
        }
    }

    #[inline]
    pub(super) fn write_json(&self, out: &mut String) {
        let _ = write!(out, "{{\"arch\":{},\"level\":", Quoted(std::env::consts::ARCH));
        let _ = match self.host.level {
            Some(level) => write!(out, "{}", Quoted(level)),
            None => write!(out, "null"),
        };
        out.push_str(",\"features\":[");
        for (i, f) in self.host.features.iter().enumerate() {
            let _ = write!(out, "{}{}", if i == 0 { "" } else { "," }, Quoted(f));
        }
        let _ = write!(out, "],\"cpu_supported\":{},\"missing\":[", self.missing.is_empty());
        for (i, m) in self.missing.iter().enumerate() {
            let lack = m.lack.word();
            let _ = write!(
                out,
                "{}{{\"feature\":{},\"lack\":\"{lack}\"}}",
                if i == 0 { "" } else { "," },
                Quoted(m.feature)
            );
        }
        let _ = write!(out, "],\"started_at\":{}}}", Quoted(&self.started_at));
    }

    #[inline]
    pub(super) fn write_text(&self, out: &mut String) {
        let level = self.host.level.unwrap_or(std::env::consts::ARCH);
        let cpu = if self.missing.is_empty() {
            "has every CPU feature this binary was built for".to_owned()
        } else {
            let missing: Vec<String> = self.missing.iter().map(|m| m.to_string()).collect();
            format!("lacks CPU features this binary was built for: {}", missing.join(", "))
        };
        let _ = writeln!(out, "host:        {level}, {cpu}\nstarted:     {}", self.started_at);
    }
}

/// When the program started, in seconds since the Unix epoch. Found here rather than recorded at
/// startup: `SystemTime::now()` in `main`'s prologue would put 8.7 KiB into every stripped hello
/// world, served or not.
///
/// The kernel records when a process was created, and `exec` keeps that time: a program exec'd in
/// place of another process would report the other's start. `cargo run` does exactly that (on
/// Unix cargo replaces itself with the program), so the process started before cargo's build.
/// A running executable cannot be written (`ETXTBSY`), so the file's modification time is a lower
/// bound of the program's own start: the later of the two is the program's start to the second
/// after a build, and the process's otherwise. What it cannot see is a program exec'd long after
/// its file was written by a process that had started earlier still (`sh -c 'sleep 60; exec app'`).
#[inline]
fn process_start() -> u64 {
    let secs = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let now = secs(std::time::SystemTime::now());
    #[cfg(target_os = "linux")]
    if let Some(created) = linux_process_start() {
        // `/proc/self/exe` is the file being run, also when its path was since replaced or removed.
        let written = std::fs::metadata("/proc/self/exe").and_then(|m| m.modified()).map_or(0, secs);
        return created.max(written.min(now));
    }
    now
}

/// The boot time (`btime` in /proc/stat) plus the process's start after boot (field 22 of
/// /proc/self/stat, in USER_HZ ticks, which Linux fixes at 100 for /proc).
#[cfg(target_os = "linux")]
#[inline]
fn linux_process_start() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 2, the command name, may hold spaces and parentheses: count from after its last `)`,
    // where field 3 begins.
    let ticks: u64 = stat[stat.rfind(')')? + 1..].split_whitespace().nth(22 - 3)?.parse().ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(boot + ticks / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The executable's modification time, in whole seconds.
    fn written(exe: &std::path::Path) -> u64 {
        let modified = std::fs::metadata(exe).unwrap().modified().unwrap();
        modified.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn process_start_is_between_the_executable_and_now() {
        let secs = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let now = secs(std::time::SystemTime::now());
        // The file system's word: this test binary was written before the process started.
        let built = written(&std::env::current_exe().unwrap());
        let start = process_start();
        // Whole seconds on both sides (the kernel's boot time is truncated): a second of slack.
        assert!(built <= start + 1, "started {start}, before the executable was written ({built})");
        assert!(start <= now, "started {start}, after now ({now})");
        #[cfg(target_os = "linux")]
        assert_eq!(linux_process_start().map(|created| created.max(built)), Some(start), "from the kernel on Linux");
    }

    /// Run by [`exec_in_place_of_an_earlier_process`] in the process it execs: prints the start.
    #[test]
    fn print_process_start() {
        if std::env::var_os("PROFILE_INFO_TEST_PRINT_START").is_some() {
            println!("start={}", process_start());
        }
    }

    /// As `cargo run` does: a process starts, writes the executable (cargo builds it), then
    /// replaces itself with it. The start is the program's, not the earlier process's.
    #[test]
    #[cfg(target_os = "linux")]
    fn exec_in_place_of_an_earlier_process() {
        let exe = std::env::current_exe().unwrap();
        let copy = exe.with_file_name(format!("serve-runtime-exec-{}", std::process::id()));
        let script =
            r#"sleep 2 && cp "$0" "$1" && exec "$1" --exact serve::runtime::tests::print_process_start --nocapture"#;
        let out = std::process::Command::new("sh")
            .args(["-c", script])
            .arg(&exe)
            .arg(&copy)
            .env("PROFILE_INFO_TEST_PRINT_START", "1")
            .output()
            .unwrap();
        let copied = written(&copy);
        let _ = std::fs::remove_file(&copy);
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let start: u64 = stdout.lines().find_map(|l| l.strip_prefix("start=")).expect(&stdout).parse().unwrap();
        // The shell started two seconds before `cp` wrote the file it then exec'd.
        assert!(start >= copied, "started {start}, before its executable was written ({copied})");
    }

    #[test]
    fn dates() {
        assert_eq!(crate::render::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(crate::render::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(crate::render::rfc3339(1_795_993_089), "2026-11-29T22:58:09Z");
    }
}
