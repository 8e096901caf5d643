//! `report.svg`: size against speed, one point per variant; the variants no other beats on both
//! (smaller and faster) are marked and joined, the choice a reader makes at a glance.

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

/// The chart for `report`.
pub fn svg(report: &Report) -> String {
    let base = report.rows.iter().find(|r| r.name == super::ladder::BASELINE).expect("release row");
    let served = base.served.is_some();
    let speed = |r: &super::report::Row| if served { r.speed() } else { r.speed() / base.speed() };
    let points: Vec<(f64, f64)> = report.rows.iter().map(|r| (r.size_bytes as f64, speed(r))).collect();
    let marked = unbeaten(&points);
    let (x0, x1) = padded(
        points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
        points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = padded(
        points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    );
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |v: f64| LEFT + (v - x0) / (x1 - x0) * plot_w;
    let y = |v: f64| TOP + plot_h - (v - y0) / (y1 - y0) * plot_h;
    let y_label = if served { "requests/s (median)" } else { "speed vs release (× runs per second, median)" };
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
    for i in 0..=4 {
        let t = i as f64 / 4.0;
        let (xv, yv) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
        let (px, py) = (x(xv), y(yv));
        let bottom = TOP + plot_h;
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom}" stroke="#e5e5e5"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            bottom + 18.0,
            size(xv.max(0.0) as u64)
        );
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
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">binary size</text>"##,
        LEFT + plot_w / 2.0,
        HEIGHT - 22.0
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
    for ((row, &(a, b)), &m) in report.rows.iter().zip(&points).zip(&marked) {
        let colour = if m { MARKED } else { OTHER };
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="6" fill="{colour}"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            x(a),
            y(b),
            x(a) + 9.0,
            y(b) - 6.0,
            escape(&row.name)
        );
    }
    let lx = LEFT + plot_w + 14.0;
    let _ = write!(
        s,
        r##"<circle cx="{lx}" cy="{TOP}" r="6" fill="{MARKED}"/><text x="{:.1}" y="{:.1}">no other variant</text>
<text x="{:.1}" y="{:.1}">is both smaller</text>
<text x="{:.1}" y="{:.1}">and faster</text>
<circle cx="{lx}" cy="{:.1}" r="6" fill="{OTHER}"/><text x="{:.1}" y="{:.1}">beaten on both</text>
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
        TOP + 64.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::report::tests::row;

    #[test]
    fn unbeaten_means_no_other_is_smaller_and_faster() {
        assert_eq!(
            unbeaten(&[(10.0, 1.0), (5.0, 2.0), (7.0, 3.0), (5.0, 1.0), (8.0, 3.0)]),
            [false, true, true, false, false]
        );
        assert_eq!(unbeaten(&[(1.0, 1.0), (1.0, 1.0)]), [true, true]);
    }

    #[test]
    fn the_chart_marks_each_unbeaten_variant_once() {
        let report = Report {
            rows: vec![row("release", 2_000_000, &[1.0]), row("a<b", 1_000_000, &[0.5]), row("c", 1_500_000, &[0.8])],
            left_out: vec![],
            notes: vec![],
        };
        let svg = svg(&report);
        assert_eq!(svg.matches(&format!(r#"r="6" fill="{MARKED}""#)).count(), 2, "{svg}");
        assert!(svg.contains(">a&lt;b</text>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
