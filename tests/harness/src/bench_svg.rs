// SPDX-License-Identifier: GPL-2.0
//! Line charts as SVG text, for the benchmark's plots: linear axes with
//! round tick values, one polyline with markers per series, a legend.

use std::fmt::Write;

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points (x, y), drawn in this order.
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (a second family of lines).
    pub dashed: bool,
    /// Colour and marker shape, by index (series sharing one differ by
    /// their dashes).
    pub style: usize,
}

/// A chart to draw.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// A smaller line under the title.
    pub subtitle: &'a str,
    /// Axis labels.
    pub x_label: &'a str,
    /// Axis labels.
    pub y_label: &'a str,
    /// The lines.
    pub series: &'a [Series],
}

/// Line colours, distinguishable in print and for the common colour
/// blindnesses; each series also has its own marker shape.
const COLOURS: [&str; 8] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#999999",
];
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 460.0;
/// Plot area: left, top, right, bottom margins.
const PLOT: (f64, f64, f64, f64) = (80.0, 56.0, 250.0, 60.0);

/// Tick values covering `0..=max`: 1, 2 or 5 times a power of ten apart,
/// about `n` of them; the last is at or above `max`.
pub fn ticks(max: f64, n: usize) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// A tick label: thousands separated, `k`/`M` for large round values.
pub fn label(v: f64) -> String {
    if v >= 1e6 && (v % 1e5).abs() < 1e-9 {
        format!("{}M", v / 1e6)
    } else if v >= 1e4 && (v % 1e3).abs() < 1e-9 {
        format!("{}k", v / 1e3)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// `s` escaped for SVG text.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A marker of shape `k` at (x, y).
fn marker(k: usize, x: f64, y: f64, colour: &str) -> String {
    match k % 4 {
        0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"/>"),
        1 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\"/>",
            x - 3.5,
            y - 3.5
        ),
        2 => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z\" fill=\"{colour}\"/>",
            y - 4.5,
            x + 4.5,
            y + 3.5,
            x - 4.5,
            y + 3.5
        ),
        _ => format!(
            "<path d=\"M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z\" fill=\"white\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            y - 4.5,
            x + 4.5,
            y + 4.5,
            x - 4.5
        ),
    }
}

/// The chart as a standalone SVG document.
pub fn line_chart(c: &Chart<'_>) -> String {
    let (l, t, r, b) = PLOT;
    let (pw, ph) = (WIDTH - l - r, HEIGHT - t - b);
    let all = || c.series.iter().flat_map(|s| s.points.iter());
    let x_max = all().map(|p| p.0).fold(0.0, f64::max);
    let y_max = all().map(|p| p.1).fold(0.0, f64::max);
    let xt = ticks(x_max, 8);
    let yt = ticks(y_max, 6);
    let (xm, ym) = (*xt.last().unwrap(), *yt.last().unwrap());
    let px = |x: f64| l + pw * x / xm;
    let py = |y: f64| t + ph - ph * y / ym;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        s,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"white\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\
         <text x=\"{:.1}\" y=\"40\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555555\">{}</text>",
        WIDTH / 2.0,
        esc(c.title),
        WIDTH / 2.0,
        esc(c.subtitle)
    );
    for &v in &yt {
        let y = py(v);
        let _ = writeln!(
            s,
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            l + pw,
            l - 6.0,
            y + 4.0,
            label(v)
        );
    }
    for &v in &xt {
        let x = px(v);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555555\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            t + ph,
            t + ph + 5.0,
            t + ph + 19.0,
            label(v)
        );
    }
    let _ = writeln!(
        s,
        "<rect x=\"{l}\" y=\"{t}\" width=\"{pw:.1}\" height=\"{ph:.1}\" fill=\"none\" stroke=\"#555555\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        l + pw / 2.0,
        HEIGHT - 14.0,
        esc(c.x_label)
    );
    let _ = writeln!(
        s,
        "<text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        t + ph / 2.0,
        esc(c.y_label)
    );
    for (k, series) in c.series.iter().enumerate() {
        let colour = COLOURS[series.style % COLOURS.len()];
        let pts: Vec<String> = series
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let dash = if series.dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
            pts.join(" ")
        );
        for &(x, y) in &series.points {
            let _ = writeln!(s, "{}", marker(series.style, px(x), py(y), colour));
        }
        let ly = t + 10.0 + 20.0 * k as f64;
        let lx = l + pw + 15.0;
        let _ = writeln!(
            s,
            "<line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>{}\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            lx + 24.0,
            marker(series.style, lx + 12.0, ly, colour),
            lx + 30.0,
            ly + 4.0,
            esc(&series.name)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(496.0, 8), [0.0, 100.0, 200.0, 300.0, 400.0, 500.0]);
        assert_eq!(ticks(37808.0, 6), [0.0, 10000.0, 20000.0, 30000.0, 40000.0]);
        assert_eq!(ticks(1.0, 4), [0.0, 0.5, 1.0]);
        assert_eq!(ticks(0.0, 4), [0.0, 1.0]);
        assert_eq!(label(40000.0), "40k");
        assert_eq!(label(2_000_000.0), "2M");
        assert_eq!(label(300.0), "300");
        assert_eq!(label(0.5), "0.5");
    }

    #[test]
    fn one_polyline_per_series_inside_the_plot() {
        let series = vec![
            Series {
                name: "ours <Rust> & C".into(),
                points: vec![(1.0, 100.0), (496.0, 300.0)],
                dashed: false,
                style: 0,
            },
            Series {
                name: "b".into(),
                points: vec![(1.0, 50.0), (64.0, 80.0), (496.0, 90.0)],
                dashed: true,
                style: 1,
            },
        ];
        let svg = line_chart(&Chart {
            title: "t",
            subtitle: "s",
            x_label: "payload bytes",
            y_label: "instructions",
            series: &series,
        });
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains("ours &lt;Rust&gt; &amp; C"));
        // x = 496 of an axis to 500 and y = 300 of an axis to 300.
        let (l, t, r, _) = PLOT;
        let x = l + (WIDTH - l - r) * 496.0 / 500.0;
        assert!(svg.contains(&format!("{x:.1},{t:.1}")), "{svg}");
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    }
}
