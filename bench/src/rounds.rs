//! The edit-compile section's figures ([`crate::edit`]): hyperfine ran the variants in
//! turns, round after round, each command a few runs. A variant's time is the median of its
//! rounds' means; its cost is the median over rounds of its mean less the first variant's (plain)
//! in the same round, so that drift and load fall on both sides of each difference.

use crate::hyperfine::Timing;

/// One variant's figures.
#[derive(Debug, PartialEq)]
pub struct Row {
    /// Its name in the table.
    pub name: String,
    /// The median of its rounds' means.
    pub median_ms: f64,
    /// The median over rounds of its mean less the first variant's.
    pub over_first_ms: f64,
}

/// The per-command means (seconds) of hyperfine's results, which must be whole rounds of one
/// command per name of `names`, in that order.
pub fn means(timings: &[Timing], names: &[&str]) -> Result<Vec<f64>, String> {
    if names.is_empty() || timings.is_empty() || !timings.len().is_multiple_of(names.len()) {
        return Err(format!("{} results are not whole rounds of {} variants", timings.len(), names.len()));
    }
    timings
        .iter()
        .zip(names.iter().cycle())
        .map(|(t, name)| {
            if t.command == *name {
                Ok(t.mean)
            } else {
                Err(format!("hyperfine ran `{}` where a round has `{name}`", t.command))
            }
        })
        .collect()
}

/// The rows named `names` from `means`, whose commands ran as rounds of one command per name.
pub fn rows(means: &[f64], names: &[&str]) -> Result<Vec<Row>, String> {
    if names.is_empty() || means.is_empty() || !means.len().is_multiple_of(names.len()) {
        return Err(format!("{} results are not whole rounds of {} variants", means.len(), names.len()));
    }
    let rounds: Vec<&[f64]> = means.chunks(names.len()).collect();
    Ok(names
        .iter()
        .enumerate()
        .map(|(v, name)| Row {
            name: (*name).to_owned(),
            median_ms: median(rounds.iter().map(|r| r[v] * 1e3).collect()),
            over_first_ms: median(rounds.iter().map(|r| (r[v] - r[0]) * 1e3).collect()),
        })
        .collect())
}

/// The median, as compare measures it (`rows` never gives it nothing).
fn median(values: Vec<f64>) -> f64 {
    cargo_profile_info::harness::Spread::of(&values).median
}

/// The table of one `cycle` (what changed `src/main.rs`) in `repository` (its description), then
/// `key=` with the last variant's cost: with [`crate::sections::Judged::OverPlainMs`]'s key, the
/// line the report judges.
pub fn render(rows: &[Row], runs: u32, (repository, cycle): (&str, &str), key: &str) -> String {
    let rounds_line = format!("{repository}, {cycle} + cargo build (dev), rounds of {runs} runs each:\n");
    let mut table = vec![vec!["variant".to_owned(), "median ms".to_owned(), "+plain ms".to_owned()]];
    table.extend(
        rows.iter().map(|r| vec![r.name.clone(), format!("{:.1}", r.median_ms), format!("{:+.1}", r.over_first_ms)]),
    );
    let last = rows.last().map_or(f64::NAN, |r| r.over_first_ms);
    format!("{rounds_line}{}{key}={last:.1}\n", cargo_profile_info::harness::aligned(&table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(command: &str, mean: f64) -> Timing {
        Timing { command: command.into(), mean, median: mean, min: mean }
    }

    #[test]
    fn costs_are_medians_of_differences_within_rounds() {
        // Three rounds of (plain, attribute); the second round ran 50 ms slow for both.
        let means = [0.080, 0.091, 0.130, 0.141, 0.082, 0.094];
        let rows = rows(&means, &["plain", "attribute"]).unwrap();
        assert_eq!(rows[0].over_first_ms, 0.0);
        assert!((rows[1].over_first_ms - 11.0).abs() < 1e-9, "{rows:?}");
        assert!((rows[1].median_ms - 94.0).abs() < 1e-9, "{rows:?}");
        let text = render(&rows, 2, ("small repository", "touch src/main.rs"), "over_plain_ms");
        assert!(text.ends_with("over_plain_ms=11.0\n"), "{text}");
        assert!(text.contains("attribute  94.0       +11.0"), "{text}");
    }

    #[test]
    fn even_rounds_and_bad_input() {
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(rows(&[0.1, 0.2, 0.3], &["a", "b"]).is_err());
        assert!(rows(&[], &["a"]).is_err());
        let ran = [timing("plain", 0.08), timing("attribute", 0.09), timing("plain", 0.07), timing("attribute", 0.1)];
        assert_eq!(means(&ran, &["plain", "attribute"]).unwrap(), vec![0.08, 0.09, 0.07, 0.1]);
        assert!(means(&ran, &["attribute", "plain"])
            .unwrap_err()
            .contains("ran `plain` where a round has `attribute`"));
        assert!(means(&ran[..3], &["plain", "attribute"]).is_err(), "not whole rounds");
        assert!(means(&[], &["plain"]).is_err());
    }
}
