//! The build facts every observability integration reports — the Prometheus labels, the tracing
//! event's fields, the OpenTelemetry `rust.build.*` attributes — and the startup line, all taken
//! from the labelled fields of the schema table ([`crate::schema::FIELDS`]), so they always agree.

use crate::BuildInfo;

/// The labelled facts of a document as strings, in table order; a value that was not captured is
/// `""` (Prometheus treats an empty label as an absent one), a list is comma-separated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pairs: Vec<(&'static str, String)>,
}

impl Facts {
    /// The facts of `info`.
    #[inline]
    pub fn of(info: &BuildInfo) -> Facts {
        Facts { pairs: crate::schema::labels(info) }
    }

    /// `(label, value)` in the order of the Prometheus labels.
    #[inline]
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        self.pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// The summary on one line, for a log: [`crate::render::line`].
#[inline]
pub fn summary(info: &BuildInfo) -> String {
    crate::render::line(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_follow_the_document() {
        let info = crate::build_info!();
        let facts = Facts::of(info);
        let pairs = facts.pairs();
        assert!(pairs.contains(&("version", env!("CARGO_PKG_VERSION"))), "{pairs:?}");
        assert!(pairs.contains(&("profile", info.profile.name.as_deref().unwrap_or(""))), "{pairs:?}");
        let labels: Vec<&str> = crate::schema::FIELDS.iter().filter_map(|f| f.label).collect();
        assert_eq!(pairs.iter().map(|(k, _)| *k).collect::<Vec<_>>(), labels);
        assert!(summary(info).starts_with(&format!("profile-info {}; crate: test (", env!("CARGO_PKG_VERSION"))));
    }
}
