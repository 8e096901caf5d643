//! hyperfine, as the edit-compile and dirty-check sections run it: its command lines (it splits
//! each as a shell would), a run with `--export-json`, and the figures read back from that JSON.

use crate::io;
use cargo_profile_info::Error;
use std::path::Path;
use std::process::{Command, Stdio};

/// One command's figures from `--export-json`, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// Its name (`-n`), or the command line when it has none.
    pub command: String,
    /// The mean of its runs.
    pub mean: f64,
    /// The median of its runs.
    pub median: f64,
    /// The fastest run.
    pub min: f64,
}

/// The commands' figures in `--export-json`'s text, in the order hyperfine ran them.
pub fn timings(json: &str) -> Result<Vec<Timing>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("hyperfine's JSON: {e}"))?;
    let results = value["results"].as_array().ok_or("hyperfine's JSON has no `results`")?;
    results
        .iter()
        .map(|r| {
            let number = |key: &str| r[key].as_f64().ok_or_else(|| format!("a result without a `{key}`"));
            Ok(Timing {
                command: r["command"].as_str().ok_or("a result without a `command`")?.to_owned(),
                mean: number("mean")?,
                median: number("median")?,
                min: number("min")?,
            })
        })
        .collect()
}

/// `word` as one word of a command line hyperfine splits as a shell would: single-quoted unless it
/// holds nothing a shell treats specially.
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `words` as one command line for hyperfine.
pub fn line<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| quote(w.as_ref())).collect::<Vec<_>>().join(" ")
}

/// Runs hyperfine with `args` in `dir` with `envs`, its report on stderr (stdout is the section's
/// figures), writing `json`, and reads the figures back.
pub fn run(dir: &Path, args: &[String], json: &Path, envs: &[(&str, &Path)]) -> Result<Vec<Timing>, Error> {
    let status = Command::new("hyperfine")
        .args(args)
        .envs(envs.iter().copied())
        // A backtrace setting makes cargo capture one for each error it creates and drops while
        // reading manifests: a cost of the environment, growing with the packages, that a default
        // shell does not have.
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .arg("--export-json")
        .arg(json)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| io("cannot run hyperfine", e))?;
    if !status.success() {
        return Err(Error::new(format!("hyperfine failed ({status})")));
    }
    let text = std::fs::read_to_string(json).map_err(|e| io(&json.display().to_string(), e))?;
    timings(&text).map_err(Error::new)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The words bash splits `line` into: the shell hyperfine's splitting follows.
    pub fn bash_words(line: &str) -> Vec<String> {
        let out = Command::new("bash").arg("-c").arg(format!("printf '%s\\n' {line}")).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
    }

    #[test]
    fn command_lines_split_back_into_their_words() {
        let words = ["cargo", "--config", "source.crates-io.replace-with=\"vendored\"", "/a b/it's", "", "$HOME", "*"];
        assert_eq!(bash_words(&line(&words)), words);
        assert_eq!(line(&["touch", "/w/target/src/main.rs"]), "touch /w/target/src/main.rs", "plain words stay bare");
    }

    #[test]
    fn figures_are_read_from_the_json() {
        let json = r#"{"results":[{"command":"plain","mean":0.08,"median":0.079,"min":0.07,"times":[0.07,0.09]},
                       {"command":"attribute","mean":0.09,"median":0.089,"min":0.085}]}"#;
        let t = timings(json).unwrap();
        assert_eq!(t[1], Timing { command: "attribute".into(), mean: 0.09, median: 0.089, min: 0.085 });
        assert_eq!(t[0].command, "plain");
        assert!(timings(r#"{"results":[{"command":"plain","mean":0.1,"median":0.1}]}"#).unwrap_err().contains("min"));
        assert!(timings(r#"{"results":[{"mean":0.1,"median":0.1,"min":0.1}]}"#).is_err());
        assert!(timings("{}").is_err());
        assert!(timings("not json").is_err());
    }
}
