//! HTTP negotiation: which representation an `Accept` list prefers, and whether an
//! `If-None-Match` list matches a representation's tag.

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`.
#[inline]
pub(super) fn matches(list: &[u8], etag: &str) -> bool {
    list.split(|&b| b == b',')
        .map(|tag| tag.trim_ascii())
        .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag.as_bytes())
}

/// Whether `text/plain` gets a higher q-value than `application/json` over all the `Accept` lines;
/// on a tie, JSON. No `Accept` at all means JSON.
pub(super) fn prefers_text<'b>(accept: impl IntoIterator<Item = &'b [u8]>) -> bool {
    let (mut text, mut json) = (Best::default(), Best::default());
    for line in accept {
        // An element that is not UTF-8 is no media range: it takes no part. Judged per element,
        // not per line, so that the lines mean what their comma-joined value means.
        for range in line.split(|&b| b == b',').filter_map(|r| std::str::from_utf8(r).ok()) {
            let mut params = range.split(';');
            let Some((kind, sub)) = params.next().and_then(|m| m.trim().split_once('/')) else { continue };
            let q = params
                .filter_map(|p| p.split_once('='))
                // Parameter names are case-insensitive (RFC 9110 §5.6.6): `Q=0.5` is a weight too.
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, q)| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)));
            // A weight that is not a number from 0 to 1 makes the range invalid: ignore it.
            let Some(q) = q else { continue };
            text.offer(kind.trim(), sub.trim(), "text", "plain", q);
            json.offer(kind.trim(), sub.trim(), "application", "json", q);
        }
    }
    text.q() > json.q()
}

/// The q-value of the most specific media range seen so far that matches one media type.
#[derive(Default)]
struct Best(Option<(u8, f32)>);

impl Best {
    #[inline]
    fn offer(&mut self, kind: &str, sub: &str, want_kind: &str, want_sub: &str, q: f32) {
        let specificity = match (kind.eq_ignore_ascii_case(want_kind), sub.eq_ignore_ascii_case(want_sub)) {
            (true, true) => 2,
            (true, false) if sub == "*" => 1,
            _ if kind == "*" && sub == "*" => 0,
            _ => return,
        };
        if self.0.is_none_or(|(b, _)| specificity > b) {
            self.0 = Some((specificity, q));
        }
    }

    /// 0 when no range matched.
    #[inline]
    fn q(&self) -> f32 {
        self.0.map_or(0.0, |(_, q)| q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_wins(lines: &[&str]) -> bool {
        prefers_text(lines.iter().map(|l| l.as_bytes()))
    }

    #[test]
    fn negotiation() {
        assert!(text_wins(&["text/plain"]));
        assert!(text_wins(&["text/*"]));
        assert!(text_wins(&["application/json;q=0.5, text/plain"]));
        assert!(!text_wins(&[]));
        assert!(!text_wins(&["*/*"]));
        assert!(!text_wins(&["text/html,application/xhtml+xml,*/*;q=0.8"]));
        assert!(!text_wins(&["application/json, text/plain"]));
        assert!(!text_wins(&["text/plain;q=0.2, */*"]));
    }

    #[test]
    fn accept_split_over_lines_is_one_list() {
        // RFC 9110 §5.3: the lines of a field, joined with commas, are its value.
        assert!(text_wins(&["application/json;q=0.1", "text/plain"]));
        assert!(!text_wins(&["text/plain;q=0.2", "*/*"]));
        assert!(!text_wins(&["text/plain", "application/json"]));
        assert!(prefers_text([b"\xff/\xff".as_slice(), b"text/plain"]), "a range that is not UTF-8 is skipped");
        // A line that is not UTF-8 as a whole still counts its UTF-8 ranges, as the joined value does.
        assert!(prefers_text([b"text/plain".as_slice(), b"\xff"]));
        assert!(prefers_text([b"text/plain, \xff".as_slice()]));
        assert!(prefers_text([b"\xfe;q=0.1, text/plain".as_slice()]));
    }

    #[test]
    fn parameter_names_are_case_insensitive() {
        assert!(text_wins(&["application/json;Q=0.5, text/plain"]));
        assert!(!text_wins(&["text/plain;Q=0.2, */*"]));
        assert!(text_wins(&["application/json ; Q = 0.2, text/plain;q=0.5"]));
        // An invalid weight invalidates its range rather than counting as 1.
        assert!(!text_wins(&["text/plain;q=2"]));
        assert!(!text_wins(&["text/plain;q=NaN"]));
    }
}
