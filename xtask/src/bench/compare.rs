//! A run set against the committed report (`bench/report.json`): every ratio to a same-run
//! baseline and every first-visit size, now and then. Milliseconds do not compare across
//! machines; ratios to baselines measured in the same run, and byte counts, do. A figure more
//! than 10 % worse than the committed one is a regression. Also the table of where the first
//! chunk's bytes go.
//!
//! Owns: that comparison and those two sections of the report. Must not: measure, or decide a
//! target (report.rs does).

use std::fmt::Write as _;

use serde_json::{Value, json};

/// How much worse than the committed figure counts as a regression.
const TOLERANCE: f64 = 0.10;

/// The comparison, ready for the report.
pub struct Against {
    pub json: Value,
    /// Starts with a blank line and its heading.
    pub markdown: String,
    /// One line per figure more than 10 % worse.
    pub regressions: Vec<String>,
}

/// Every figure of `now`'s `ratios` and `sizes` beside `committed`'s (lower is better for all).
pub fn against(committed: Option<&Value>, now: &Value) -> Against {
    let mut md = String::from("\n## Against the committed report (`bench/report.json`)\n\n");
    let Some(committed) = committed else {
        md.push_str(
            "No committed report to compare with: commit this run's `target/bench/report.json` \
             as `bench/report.json`.\n",
        );
        return Against {
            json: Value::Null,
            markdown: md,
            regressions: Vec::new(),
        };
    };
    let _ = writeln!(
        md,
        "Ratios to the same run's baselines and first-visit bytes; lower is better. More than \
         {:.0} % worse is a regression.\n",
        TOLERANCE * 100.0
    );
    let _ = writeln!(
        md,
        "| figure | committed | now | now / committed | |\n|---|---:|---:|---:|---|"
    );
    let mut rows = Vec::new();
    let mut regressions = Vec::new();
    for group in ["ratios", "sizes"] {
        let Some(figures) = now.get(group).and_then(Value::as_object) else {
            continue;
        };
        for (name, value) in figures {
            let before = committed
                .get(group)
                .and_then(|figures| figures.get(name))
                .and_then(Value::as_f64);
            let after = value.as_f64();
            let change = match (before, after) {
                (Some(before), Some(after)) if before > 0.0 => Some(after / before),
                _ => None,
            };
            let verdict = match change {
                Some(change) if change > 1.0 + TOLERANCE => "**regression**",
                Some(change) if change < 1.0 - TOLERANCE => "better",
                Some(_) => "same",
                None => "new",
            };
            let show = |figure: Option<f64>| match figure {
                None => "—".to_owned(),
                Some(bytes) if group == "sizes" => format!("{:.1} KB", bytes / 1024.0),
                Some(ratio) => format!("{ratio:.2}×"),
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {verdict} |",
                show(before),
                show(after),
                change.map_or("—".into(), |change| format!("{change:.2}"))
            );
            if verdict == "**regression**" {
                regressions.push(format!(
                    "{name}: {} now, {} committed",
                    show(after),
                    show(before)
                ));
            }
            rows.push(json!({
                "figure": name, "committed": before, "now": after, "change": change,
                "verdict": verdict.trim_matches('*'),
            }));
        }
    }
    if regressions.is_empty() {
        md.push_str("\nNo figure is more than 10 % worse than the committed report.\n");
    } else {
        let _ = writeln!(md, "\nRegressions: {}.", regressions.join("; "));
    }
    Against {
        json: json!({ "figures": rows, "regressions": regressions }),
        markdown: md,
        regressions,
    }
}

/// How many crates and functions the table shows.
const SHOWN: usize = 12;

/// "Where the bytes go": the first chunk's crates and largest functions, as
/// `xtask/src/first_chunk.rs` recorded them for dist/.
pub fn first_chunk_markdown(first_chunk: Option<&Value>) -> String {
    let mut md = String::from("\n## Where the first chunk's bytes go\n\n");
    let Some(record) = first_chunk.filter(|record| record.get("total").is_some()) else {
        md.push_str(
            "Not recorded: the release build wrote no `target/xtask/first-chunk/dist.json`.\n",
        );
        return md;
    };
    let total = record["total"].as_f64().unwrap_or(0.0).max(1.0);
    let _ = writeln!(
        md,
        "The main wasm module of dist/ (what a first visit downloads), read before wasm-opt drops \
         its names: {:.1} KB of function bodies and data then (wasm-opt shrinks it further, so the \
         shares are what to read). A function counts under the crate its name starts with; a \
         framework generic instantiated for mailsetup's own types (a component's view) counts \
         under the framework, and the last column says how much of it is mailsetup's.\n",
        total / 1024.0
    );
    let _ = writeln!(
        md,
        "| crate | KB | share | of it for mailsetup's types |\n|---|---:|---:|---:|"
    );
    for item in record["crates"]
        .as_array()
        .into_iter()
        .flatten()
        .take(SHOWN)
    {
        let bytes = item["bytes"].as_f64().unwrap_or(0.0);
        let ours = item["for_mailsetup"].as_f64().unwrap_or(0.0);
        let _ = writeln!(
            md,
            "| `{}` | {:.1} | {:.1} % | {:.1} KB |",
            item["crate"].as_str().unwrap_or("?"),
            bytes / 1024.0,
            100.0 * bytes / total,
            ours / 1024.0
        );
    }
    let _ = writeln!(md, "\n| largest functions | KB |\n|---|---:|");
    for item in record["largest"]
        .as_array()
        .into_iter()
        .flatten()
        .take(SHOWN)
    {
        let name = item["function"].as_str().unwrap_or("?");
        let _ = writeln!(
            md,
            "| `{}` | {:.1} |",
            shorten(name).replace('|', "\\|"),
            item["bytes"].as_f64().unwrap_or(0.0) / 1024.0
        );
    }
    let parts = record["parts"].as_array().cloned().unwrap_or_default();
    if !parts.is_empty() {
        let _ = writeln!(
            md,
            "\nWhat each part of the component pulls into the first chunk: the functions that name \
             a module of the `mailsetup` crate, its own and the framework's generics instantiated \
             for its types (the first module a name mentions takes it; `(root)` is the crate's own \
             items, `main` and the `<mail-setup>` component). Core's rules (`mailsetup_core`), the \
             framework's shared code, the standard library and the data are not in it.\n\n\
             | part | KB | share |\n|---|---:|---:|"
        );
        for item in &parts {
            let bytes = item["bytes"].as_f64().unwrap_or(0.0);
            let _ = writeln!(
                md,
                "| `{}` | {:.1} | {:.1} % |",
                item["part"].as_str().unwrap_or("?"),
                bytes / 1024.0,
                100.0 * bytes / total
            );
        }
    }
    md
}

/// A long generic name cut to its start and its end, where the component's name is.
fn shorten(name: &str) -> String {
    const KEEP: usize = 70;
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= 2 * KEEP {
        return name.to_owned();
    }
    let head: String = chars[..KEEP].iter().collect();
    let tail: String = chars[chars.len() - KEEP..].iter().collect();
    format!("{head} … {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_more_than_ten_percent_worse_is_a_regression() {
        let committed = json!({"ratios": {"a": 2.0, "b": 2.0, "c": 2.0}, "sizes": {"first_visit_gzip_bytes": 200.0 * 1024.0}});
        let now = json!({"ratios": {"a": 2.3, "b": 2.1, "c": 1.0, "d": 1.0}, "sizes": {"first_visit_gzip_bytes": 150.0 * 1024.0}});
        let against = against(Some(&committed), &now);
        assert_eq!(against.regressions, ["a: 2.30× now, 2.00× committed"]);
        let verdicts: Vec<&str> = against.json["figures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["verdict"].as_str().unwrap())
            .collect();
        assert_eq!(verdicts, ["regression", "same", "better", "new", "better"]);
        assert!(
            against
                .markdown
                .contains("| first_visit_gzip_bytes | 200.0 KB | 150.0 KB | 0.75 | better |")
        );
        let nothing = super::against(None, &now);
        assert!(nothing.regressions.is_empty() && nothing.markdown.contains("No committed report"));
    }

    #[test]
    fn the_bytes_table_lists_crates_and_functions() {
        let record = json!({"total": 2048, "crates": [{"crate": "tachys", "bytes": 1024, "for_mailsetup": 512}],
            "largest": [{"function": "a|b", "bytes": 512}]});
        let md = first_chunk_markdown(Some(&record));
        assert!(md.contains("| `tachys` | 1.0 | 50.0 % | 0.5 KB |"), "{md}");
        assert!(md.contains("`a\\|b`"), "{md}");
        assert!(first_chunk_markdown(None).contains("Not recorded"));
    }
}
