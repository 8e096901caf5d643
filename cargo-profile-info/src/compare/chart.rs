//! `report.svg`: size against speed, one point per variant; the variants no other beats on both
//! (smaller and faster) are marked and joined, the choice a reader makes at a glance.

use super::measure::CONFIDENCE;
use super::report::{size, Report};
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 460.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;
/// The colour of the marked variants (the test looks for it in the rendered image).
pub const MARKED: &str = "#d62728";
const OTHER: &str = "#7f7f7f";

/// For each (size, speed) point, whether no other point beats it on both: at most as large and at
/// least as fast, and better in one of the two.
pub fn unbeaten(points: &[(f64, f64)]) -> Vec<bool> {
    let beats = |(s2, v2): (f64, f64), (s, v): (f64, f64)| s2 <= s && v2 >= v && (s2 < s || v2 > v);
    points.iter().map(|&p| !points.iter().any(|&q| beats(q, p))).collect()
}

/// `lo..hi` widened by 8% on each side (and made non-empty), so points sit inside the frame.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) * 0.1 };
    (lo - span * 0.08, hi + span * 0.08)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Sizes spanning more than this factor get a logarithmic axis, so that small variants are not
/// packed into a few pixels beside a large one.
const LOG_SPAN: f64 = 4.0;

/// The size axis: linear, or logarithmic when the sizes span more than [`LOG_SPAN`].
struct SizeAxis {
    log: bool,
    lo: f64,
    hi: f64,
}

impl SizeAxis {
    fn new(min: f64, max: f64) -> SizeAxis {
        let log = max > min * LOG_SPAN && min > 0.0;
        let (lo, hi) = if log { padded(min.ln(), max.ln()) } else { padded(min, max) };
        SizeAxis { log, lo, hi }
    }

    /// Where `bytes` falls, from 0 (left) to 1 (right).
    fn at(&self, bytes: f64) -> f64 {
        let v = if self.log { bytes.ln() } else { bytes };
        (v - self.lo) / (self.hi - self.lo)
    }

    /// Tick values: 1, 2 and 5 times powers of ten inside a log axis, five even steps on a linear one.
    fn ticks(&self) -> Vec<f64> {
        if !self.log {
            return (0..=4).map(|i| self.lo + i as f64 / 4.0 * (self.hi - self.lo)).filter(|v| *v >= 0.0).collect();
        }
        let (lo, hi) = (self.lo.exp(), self.hi.exp());
        let mut ticks = Vec::new();
        let mut decade = 10f64.powi(lo.log10().floor() as i32);
        while decade <= hi {
            ticks.extend([1.0, 2.0, 5.0].map(|m| m * decade).into_iter().filter(|v| (lo..=hi).contains(v)));
            decade *= 10.0;
        }
        ticks
    }
}

/// Roughly how wide a label is drawn at font-size 12 (sans-serif averages under 7 px a character).
fn label_width(text: &str) -> f64 {
    7.0 * text.chars().count() as f64
}

/// A label's position: the text's anchor point, and which end of the text it is.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
    width: f64,
}

impl Label {
    /// Left, top, right, bottom of the text as drawn (12 px high, the baseline at `y`).
    fn bounds(&self) -> (f64, f64, f64, f64) {
        let left = match self.anchor {
            "end" => self.x - self.width,
            "middle" => self.x - self.width / 2.0,
            _ => self.x,
        };
        (left, self.y - 10.0, left + self.width, self.y + 2.0)
    }

    /// The middle of the anchored end: the point of the label meant to be nearest its dot.
    fn handle(&self) -> (f64, f64) {
        (self.x, self.y - 4.0)
    }

    fn overlaps(&self, other: &Label) -> bool {
        let (a, b) = (self.bounds(), other.bounds());
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    }

    /// Whether the text covers the dot at `(x, y)` (radius 6).
    fn covers(&self, (x, y): (f64, f64)) -> bool {
        let (l, t, r, b) = self.bounds();
        x + 6.0 > l && x - 6.0 < r && y + 6.0 > t && y - 6.0 < b
    }
}

fn distance((ax, ay): (f64, f64), (bx, by): (f64, f64)) -> f64 {
    (ax - bx).hypot(ay - by)
}

/// Places a label for each dot, beside it: the first of eight positions around the dot (right,
/// left, above, below, then the corners, then the same farther out) whose handle is nearer its
/// own dot than any other dot, and whose text covers no other label and no other dot. A dot with
/// no such position gets the first position whose handle is nearest its dot.
fn place_labels(dots: &[(f64, f64)], names: &[String], frame: (f64, f64)) -> Vec<Label> {
    let mut placed: Vec<Label> = Vec::new();
    for (i, (&dot, name)) in dots.iter().zip(names).enumerate() {
        let width = label_width(name);
        let candidates: Vec<Label> = [1.0, 2.0, 3.0]
            .into_iter()
            .flat_map(|k: f64| {
                [
                    (10.0, 4.0, "start"),
                    (-10.0, 4.0, "end"),
                    (0.0, -10.0, "middle"),
                    (0.0, 18.0, "middle"),
                    (8.0, -8.0, "start"),
                    (8.0, 16.0, "start"),
                    (-8.0, -8.0, "end"),
                    (-8.0, 16.0, "end"),
                ]
                .map(|(dx, dy, anchor)| Label {
                    x: dot.0 + dx * k,
                    y: dot.1 + (dy - 4.0) * k + 4.0,
                    anchor,
                    width,
                })
            })
            .collect();
        let own = |l: &Label| {
            let d = distance(l.handle(), dot);
            dots.iter().enumerate().all(|(j, &o)| j == i || o == dot || distance(l.handle(), o) > d)
        };
        let fits = |l: &Label| {
            let (left, _, right, _) = l.bounds();
            left >= 0.0
                && right <= frame.0
                && !placed.iter().any(|p| p.overlaps(l))
                && !dots.iter().enumerate().any(|(j, &o)| j != i && o != dot && l.covers(o))
        };
        let chosen = candidates
            .iter()
            .find(|l| own(l) && fits(l))
            .or_else(|| candidates.iter().find(|l| own(l)))
            .unwrap_or(&candidates[0]);
        placed.push(*chosen);
    }
    placed
}

/// The chart for `report`.
pub fn svg(report: &Report) -> String {
    let base = report.rows.iter().find(|r| r.name == super::ladder::BASELINE).expect("release row");
    let served = base.served.is_some();
    // Speed relative to release (or requests/s) from the paired ratios, and its interval.
    let scale = base.rps().map_or(1.0, |r| r.median);
    let paired: Vec<_> = report.rows.iter().map(|r| report.paired(r)).collect();
    let points: Vec<(f64, f64)> =
        report.rows.iter().zip(&paired).map(|(r, p)| (r.size_bytes as f64, scale / p.ratio_median)).collect();
    let bars: Vec<Option<(f64, f64)>> =
        paired.iter().map(|p| p.ratio_ci.map(|(lo, hi)| (scale / hi, scale / lo))).collect();
    let marked = unbeaten(&points);
    let sizes = points.iter().map(|p| p.0);
    let axis = SizeAxis::new(sizes.clone().fold(f64::INFINITY, f64::min), sizes.fold(f64::NEG_INFINITY, f64::max));
    let speeds = points.iter().map(|p| p.1).chain(bars.iter().flatten().flat_map(|&(a, b)| [a, b]));
    let (y0, y1) = padded(speeds.clone().fold(f64::INFINITY, f64::min), speeds.fold(f64::NEG_INFINITY, f64::max));
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |v: f64| LEFT + axis.at(v) * plot_w;
    let y = |v: f64| TOP + plot_h - (v - y0) / (y1 - y0) * plot_h;
    let y_label = if served {
        "requests/s (release's median over the median ratio)"
    } else {
        "speed vs release (1 / median per-round ratio)"
    };
    let y_tick = |v: f64| if served { format!("{v:.0}") } else { format!("{v:.2}×") };

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>
<text x="{LEFT}" y="28" font-size="15" font-weight="bold">Binary size against speed, per variant (up and left is better)</text>
<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333333"/>
"##
    );
    let bottom = TOP + plot_h;
    for xv in axis.ticks() {
        let px = x(xv);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom}" stroke="#e5e5e5"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            bottom + 18.0,
            size(xv as u64)
        );
    }
    for i in 0..=4 {
        let yv = y0 + i as f64 / 4.0 * (y1 - y0);
        let py = y(yv);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 8.0,
            py + 4.0,
            y_tick(yv)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">binary size{}</text>"##,
        LEFT + plot_w / 2.0,
        HEIGHT - 22.0,
        if axis.log { " (logarithmic)" } else { "" }
    );
    let _ = writeln!(
        s,
        r##"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"##,
        TOP + plot_h / 2.0,
        escape(y_label)
    );
    let mut front: Vec<(f64, f64)> = points.iter().zip(&marked).filter(|(_, m)| **m).map(|(p, _)| *p).collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    let path: Vec<String> = front.iter().map(|&(a, b)| format!("{:.1},{:.1}", x(a), y(b))).collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="{MARKED}" stroke-dasharray="5 4"/>"##,
        path.join(" ")
    );
    // The intervals first, so that dots and labels are drawn over them.
    for ((&(a, _), bar), &m) in points.iter().zip(&bars).zip(&marked) {
        let Some((lo, hi)) = bar.filter(|(lo, hi)| hi > lo) else { continue };
        let colour = if m { MARKED } else { OTHER };
        let (px, top, low) = (x(a), y(hi), y(lo));
        let _ = writeln!(
            s,
            r##"<path d="M{px:.1},{top:.1}V{low:.1}M{:.1},{top:.1}H{:.1}M{:.1},{low:.1}H{:.1}" fill="none" stroke="{colour}" stroke-width="1.5"/>"##,
            px - 4.0,
            px + 4.0,
            px - 4.0,
            px + 4.0
        );
    }
    let dots: Vec<(f64, f64)> = points.iter().map(|&(a, b)| (x(a), y(b))).collect();
    let names: Vec<String> = report.rows.iter().map(|r| r.name.clone()).collect();
    let labels = place_labels(&dots, &names, (WIDTH, HEIGHT));
    for (((&(cx, cy), name), label), &m) in dots.iter().zip(&names).zip(&labels).zip(&marked) {
        let colour = if m { MARKED } else { OTHER };
        let _ = writeln!(
            s,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="6" fill="{colour}"/><text x="{:.1}" y="{:.1}" text-anchor="{}">{}</text>"##,
            label.x,
            label.y,
            label.anchor,
            escape(name)
        );
    }
    let lx = LEFT + plot_w + 14.0;
    let _ = write!(
        s,
        r##"<circle cx="{lx}" cy="{TOP}" r="6" fill="{MARKED}"/><text x="{:.1}" y="{:.1}">no other variant</text>
<text x="{:.1}" y="{:.1}">is both smaller</text>
<text x="{:.1}" y="{:.1}">and faster</text>
<circle cx="{lx}" cy="{:.1}" r="6" fill="{OTHER}"/><text x="{:.1}" y="{:.1}">beaten on both</text>
<path d="M{lx},{:.1}V{:.1}" stroke="{OTHER}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}">{CONFIDENCE} interval</text>
<text x="{:.1}" y="{:.1}">of the speed</text>
</svg>
"##,
        lx + 10.0,
        TOP + 4.0,
        lx + 10.0,
        TOP + 19.0,
        lx + 10.0,
        TOP + 34.0,
        TOP + 60.0,
        lx + 10.0,
        TOP + 64.0,
        TOP + 80.0,
        TOP + 100.0,
        lx + 10.0,
        TOP + 89.0,
        lx + 10.0,
        TOP + 104.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::report::tests::{report, row};

    #[test]
    fn unbeaten_means_no_other_is_smaller_and_faster() {
        assert_eq!(
            unbeaten(&[(10.0, 1.0), (5.0, 2.0), (7.0, 3.0), (5.0, 1.0), (8.0, 3.0)]),
            [false, true, true, false, false]
        );
        assert_eq!(unbeaten(&[(1.0, 1.0), (1.0, 1.0)]), [true, true]);
    }

    /// The value of `name="…"` in an SVG element.
    fn attr(element: &str, name: &str) -> f64 {
        let start =
            element.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {element}")) + name.len() + 3;
        element[start..].split('"').next().unwrap().parse().unwrap()
    }

    /// A point of the chart: its dot's centre, its label's anchor point and the label's text.
    type Point = ((f64, f64), (f64, f64), String);

    /// The points of the chart.
    fn points(svg: &str) -> Vec<Point> {
        svg.lines()
            .filter(|l| l.starts_with("<circle") && l.contains("text-anchor"))
            .map(|l| {
                let (circle, text) = l.split_once("<text").unwrap();
                let name = text.split('>').nth(1).unwrap().trim_end_matches("</text").to_owned();
                ((attr(circle, "cx"), attr(circle, "cy")), (attr(text, "x"), attr(text, "y")), name)
            })
            .collect()
    }

    /// Variants as crowded as a real ladder: several of one size, speeds a few percent apart.
    fn crowded() -> Report {
        let rounds = |r: f64| [r, r * 1.02, r * 0.99];
        report(vec![
            row("release", 29_700_000, &rounds(1.0)),
            row("strip", 8_100_000, &rounds(1.0)),
            row("lto-thin", 7_900_000, &rounds(0.97)),
            row("lto-fat", 6_300_000, &rounds(0.95)),
            row("cgu1", 6_200_000, &rounds(0.94)),
            row("panic-abort", 5_600_000, &rounds(0.95)),
            row("x86-64-v3", 5_600_000, &rounds(0.93)),
            row("pgo", 5_700_000, &rounds(0.85)),
            row("small", 1_600_000, &rounds(1.3)),
        ])
    }

    #[test]
    fn each_label_is_nearest_its_own_dot() {
        let twins = report(vec![row("release", 10, &[1.0]), row("twin", 10, &[1.0]), row("near", 11, &[1.01])]);
        for report in [crowded(), twins] {
            let svg = svg(&report);
            let points = points(&svg);
            assert_eq!(points.len(), report.rows.len(), "{svg}");
            for (dot, label, name) in &points {
                // The label's anchor, moved up to the middle of the 12 px text.
                let handle = (label.0, label.1 - 4.0);
                let own = distance(handle, *dot);
                for (other, _, other_name) in points.iter().filter(|p| p.0 != *dot) {
                    assert!(distance(handle, *other) > own, "{name}'s label is nearer {other_name}'s dot:\n{svg}");
                }
            }
        }
    }

    #[test]
    fn sizes_spanning_more_than_four_times_get_a_log_axis() {
        let svg = svg(&crowded());
        assert!(svg.contains(">binary size (logarithmic)<"), "{svg}");
        let x = |name: &str| points(&svg).into_iter().find(|p| p.2 == name).unwrap().0 .0;
        // On a log axis equal ratios of size are equal distances: 1.6 → 5.6 MB as 5.6 → 19.6 MB.
        let per_factor = (x("x86-64-v3") - x("small")) / (5.6f64 / 1.6).ln();
        assert!(((x("release") - x("x86-64-v3")) / (29.7f64 / 5.6).ln() - per_factor).abs() < 0.5, "{svg}");
        assert!(x("lto-fat") - x("x86-64-v3") > 10.0, "5.6 and 6.3 MB are apart:\n{svg}");
        for tick in ["2.00 MB", "5.00 MB", "10.00 MB", "20.00 MB"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "{tick}:\n{svg}");
        }
        let narrow = super::svg(&report(vec![row("release", 4_000_000, &[1.0]), row("a", 1_100_000, &[1.0])]));
        assert!(narrow.contains(">binary size<"), "under 4×, linear:\n{narrow}");
    }

    #[test]
    fn intervals_are_drawn_around_their_dots() {
        let report =
            report(vec![row("release", 2_000_000, &[1.0, 1.0, 1.0]), row("fast", 1_000_000, &[0.5, 0.6, 0.55])]);
        let svg = svg(&report);
        let (lo, hi) = report.paired(&report.rows[1]).ratio_ci.unwrap();
        let fast = points(&svg).into_iter().find(|p| p.2 == "fast").unwrap().0;
        let bar = svg.lines().find(|l| l.starts_with(&format!("<path d=\"M{:.1},", fast.0))).expect("a bar at the dot");
        let ys: Vec<f64> = bar.split(['M', 'V', 'H', ',', '"']).filter_map(|t| t.parse().ok()).collect();
        let (top, bottom) = (ys[1], ys[2]);
        // Speeds 1/hi and 1/lo on the same scale as the dots: the dot at 1/median lies between.
        assert!(top < fast.1 && fast.1 < bottom, "{bar} around {fast:?}");
        let release = points(&svg).into_iter().find(|p| p.2 == "release").unwrap().0;
        // y is linear in speed: (y(1/lo) − y(1/hi)) / (y(1) − y(1/median)) = (1/lo − 1/hi) / (1 − 1/median).
        let median = report.paired(&report.rows[1]).ratio_median;
        let expected = (1.0 / lo - 1.0 / hi) / (1.0 / median - 1.0);
        assert!(((bottom - top) / (release.1 - fast.1) - expected).abs() < 0.01, "{svg}");
        assert!(!svg.lines().any(|l| l.starts_with(&format!("<path d=\"M{:.1},", release.0))), "release has no bar");
    }

    #[test]
    fn the_chart_marks_each_unbeaten_variant_once() {
        let report =
            report(vec![row("release", 2_000_000, &[1.0]), row("a<b", 1_000_000, &[0.5]), row("c", 1_500_000, &[0.8])]);
        let svg = svg(&report);
        assert_eq!(svg.matches(&format!(r#"r="6" fill="{MARKED}""#)).count(), 2, "{svg}");
        assert!(svg.contains(">a&lt;b</text>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
