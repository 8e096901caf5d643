//! profile-info's goals, one table: the limit each figure must stay within, and how the tables
//! name it.

use std::fmt;

/// Which side of its limit a figure must stay on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// The figure is at most the limit.
    AtMost,
    /// The figure is at least the limit.
    AtLeast,
}

/// A figure judged against its goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Within the limit.
    Met,
    /// Past it.
    Missed,
    /// No figure to judge (a section skipped, failed or not available).
    NotMeasured,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mark::Met => "met",
            Mark::Missed => "missed",
            Mark::NotMeasured => "not measured",
        })
    }
}

/// One goal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Goal {
    /// The limit.
    pub limit: f64,
    /// Which side of it is met.
    pub bound: Bound,
    /// The terminal table's column head.
    pub column: &'static str,
    /// The report table's column head, or the goal's text after a section's title.
    pub heading: &'static str,
    /// The goals table's line (after the variant's name for the build goals).
    pub line: &'static str,
}

impl Goal {
    /// Met or missed; not measured without a figure.
    pub fn judge(&self, figure: Option<f64>) -> Mark {
        let Some(figure) = figure else { return Mark::NotMeasured };
        let met = match self.bound {
            Bound::AtMost => figure <= self.limit,
            Bound::AtLeast => figure >= self.limit,
        };
        if met {
            Mark::Met
        } else {
            Mark::Missed
        }
    }
}

/// Bytes a variant's binary may grow over its plain baseline.
pub const SIZE: Goal = Goal {
    limit: 4096.0,
    bound: Bound::AtMost,
    column: "size<=4KiB",
    heading: "size ≤ 4 KiB over plain",
    line: "size over plain ≤ 4 KiB",
};

/// Seconds a clean build may take over its plain baseline's.
pub const BUILD: Goal = Goal {
    limit: 5.0,
    bound: Bound::AtMost,
    column: "build<=+5s",
    heading: "clean build ≤ +5 s",
    line: "clean build ≤ +5 s over plain",
};

/// Units a no-op rebuild may run again.
pub const RERUN: Goal = Goal {
    limit: 0.0,
    bound: Bound::AtMost,
    column: "rerun=0",
    heading: "0 units rerun",
    line: "0 units rerun on a no-op build",
};

/// `/buildinfo`'s requests/s over the static handler's.
pub const HTTP: Goal =
    Goal {
        limit: 0.95, bound: Bound::AtLeast, column: "http", heading: "≥ 0.95× static", line: "≥ 0.95× static"
    };

/// A v3 hello world's start time with the guard over without.
pub const GUARD: Goal =
    Goal {
        limit: 1.01, bound: Bound::AtMost, column: "guard", heading: "≤ 1.01× without", line: "≤ 1.01× without"
    };

/// Milliseconds `#[profile_info::main]` may add to an edit-compile cycle (`touch src/main.rs`,
/// `cargo build`, dev) of a hello world in a small repository.
pub const EDIT: Goal = Goal {
    limit: 10.0,
    bound: Bound::AtMost,
    column: "edit",
    heading: "≤ +10 ms over plain",
    line: "≤ +10 ms over plain",
};

/// Seconds `inspect` may take to read a 25 MB binary and scan its instructions.
pub const ISA: Goal = Goal {
    limit: 1.0,
    bound: Bound::AtMost,
    column: "isa<=1s",
    heading: "≤ 1 s for a 25 MB binary",
    line: "ISA scan of a 25 MB binary ≤ 1 s",
};

/// compare's ladder's wall time over each rung built from nothing.
pub const LADDER: Goal = Goal {
    limit: 0.5,
    bound: Bound::AtMost,
    column: "ladder",
    heading: "≤ 0.5× from nothing",
    line: "≤ 0.5× each rung from nothing",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_inclusive_on_the_right_side() {
        assert_eq!(SIZE.judge(Some(4096.0)), Mark::Met);
        assert_eq!(SIZE.judge(Some(4097.0)), Mark::Missed);
        assert_eq!(SIZE.judge(Some(-500.0)), Mark::Met);
        assert_eq!(RERUN.judge(Some(0.0)), Mark::Met);
        assert_eq!(RERUN.judge(Some(1.0)), Mark::Missed);
        assert_eq!(HTTP.judge(Some(0.95)), Mark::Met);
        assert_eq!(HTTP.judge(Some(0.949)), Mark::Missed);
        assert_eq!(GUARD.judge(Some(1.0030)), Mark::Met);
        assert_eq!(GUARD.judge(Some(1.047)), Mark::Missed);
        assert_eq!(EDIT.judge(Some(10.0)), Mark::Met);
        assert_eq!(EDIT.judge(Some(-3.2)), Mark::Met);
        assert_eq!(EDIT.judge(Some(10.1)), Mark::Missed);
        assert_eq!(BUILD.judge(None), Mark::NotMeasured);
        assert_eq!(ISA.judge(Some(0.4)), Mark::Met);
        assert_eq!(ISA.judge(Some(1.2)), Mark::Missed);
        assert_eq!(LADDER.judge(Some(0.5)), Mark::Met);
        assert_eq!(LADDER.judge(Some(0.51)), Mark::Missed);
        assert_eq!(Mark::NotMeasured.to_string(), "not measured");
    }
}
