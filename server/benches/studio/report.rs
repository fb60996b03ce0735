//! Tables: printed as each figure finishes, and written together to `BENCHMARKS.md` with the
//! machine they were measured on.

use std::fmt::Write as _;
use std::process::Command;

use crate::Config;

pub struct Table {
    pub title: String,
    /// What the issue asks of this figure, in words.
    pub budget: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// How it was measured, and anything a reader needs to read the rows right.
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(title: &str, budget: &str, columns: &[&str]) -> Table {
        let table = Table {
            title: title.to_owned(),
            budget: budget.to_owned(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        };
        println!("\n== {} ==", table.title);
        table
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        println!("   {}", cells.join(" | "));
        self.rows.push(cells);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Prints the finished table, columns aligned.
    pub fn print(&self) {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|row| row[i].chars().count())
                    .chain([self.columns[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        println!("\n{}\nBudget: {}", self.title, self.budget);
        println!("{}", line(&self.columns));
        println!(
            "{}",
            "-".repeat(widths.iter().sum::<usize>() + 2 * widths.len())
        );
        for row in &self.rows {
            println!("{}", line(row));
        }
        for note in &self.notes {
            println!("  * {note}");
        }
    }

    fn markdown(&self, out: &mut String, measured: &str) {
        let _ = writeln!(
            out,
            "## {}\n\nBudget: {}\n\n{measured}\n",
            self.title, self.budget
        );
        let _ = writeln!(out, "| {} |", self.columns.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(self.columns.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out.push('\n');
        for note in &self.notes {
            let _ = writeln!(out, "- {note}");
        }
        out.push('\n');
    }
}

/// Milliseconds, to the precision that matters at that size.
pub fn ms(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.1} s", value / 1000.0)
    } else if value >= 100.0 {
        format!("{value:.0} ms")
    } else if value >= 10.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.2} ms")
    }
}

/// Bytes as KB (1,000 bytes, as the budget's "250 KB" counts) with one decimal.
pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// "✓" within `budget` (at most), else by how much it is over.
pub fn verdict_at_most(value: f64, budget: f64, unit: &str) -> String {
    if value <= budget {
        "✓".to_owned()
    } else {
        format!(
            "✗ over by {:.0} {unit} ({:.0}%)",
            value - budget,
            (value / budget - 1.0) * 100.0
        )
    }
}

/// The whole file. The figures not measured this time (`BENCH_ONLY`, or the soak's, which
/// `./scripts/soak.sh` writes) are kept as they were in `previous` (each says when it was
/// measured), and the measured ones replace theirs.
pub fn markdown(tables: &[Table], config: &Config, previous: Option<&str>) -> String {
    let mut out = String::from(
        "# Benchmarks\n\nWritten by `./scripts/bench.sh` (README, \"Benchmarks\"); run it again to \
         refresh. Every figure is the median of the runs given, and every comparison was measured \
         side by side in the same run.\n\n## Machine\n\n",
    );
    let machine = machine(config);
    for (what, value) in &machine {
        let _ = writeln!(out, "- {what}: {value}");
    }
    let _ = writeln!(out, "- runs per figure: {}\n", config.runs);
    let measured = format!(
        "Measured {} at {}, {} runs.",
        machine[0].1, machine[1].1, config.runs
    );
    let mut sections: Vec<(FigureKey, String)> =
        previous.map(previous_sections).unwrap_or_default();
    for table in tables {
        let mut section = String::new();
        table.markdown(&mut section, &measured);
        let key = figure_key(&table.title).expect("figure titles start with their number");
        sections.retain(|(k, _)| *k != key);
        sections.push((key, section));
    }
    sections.sort_by(|(a, _), (b, _)| a.cmp(b));
    for (_, section) in sections {
        out.push_str(&section);
    }
    out
}

/// A figure's place: "6. Bitbucket calls…" is (6, ""), "2b. First load…" is (2, "b").
type FigureKey = (u32, String);

fn figure_key(title: &str) -> Option<FigureKey> {
    let label = title.split('.').next()?.trim();
    let digits = label
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(label.len());
    Some((label[..digits].parse().ok()?, label[digits..].to_owned()))
}

/// The figure sections (`## N. …` up to the next `## `) of an earlier BENCHMARKS.md, each
/// saying when it was measured (written from that file's machine block when it did not).
fn previous_sections(text: &str) -> Vec<(FigureKey, String)> {
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("- {name}: ")))
            .unwrap_or("an earlier run")
            .to_owned()
    };
    let measured = format!("Measured {} at {}.", field("date (UTC)"), field("commit"));
    let mut sections = read_sections(text);
    for (_, body) in &mut sections {
        if !body.contains("\nMeasured ") {
            if let Some(at) = body.find("\n\n").and_then(|first| {
                body[first + 2..]
                    .find("\n\n")
                    .map(|second| first + 2 + second + 2)
            }) {
                body.insert_str(at, &format!("{measured}\n\n"));
            }
        }
    }
    sections
}

fn read_sections(text: &str) -> Vec<(FigureKey, String)> {
    let mut sections = Vec::new();
    let mut current: Option<(FigureKey, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("## ") {
            if let Some(done) = current.take() {
                sections.push(done);
            }
            current = figure_key(title).map(|key| (key, String::new()));
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    sections.extend(current);
    sections
}

/// What the figures were measured on.
fn machine(config: &Config) -> Vec<(&'static str, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or("unknown".into(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1_048_576.0)
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release
                .lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|l| l.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or("unknown".into(), |k| k.trim().to_owned());
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    vec![
        ("date (UTC)", now),
        ("commit", commit(config)),
        ("CPU", format!("{cpu}, {cores} cores available")),
        ("memory", memory),
        ("OS", format!("{os}, Linux {kernel}")),
        ("Rust", output(&config.root, "rustc", &["--version"])),
        (
            "browser",
            output(&config.root, "/usr/bin/chromium", &["--version"]),
        ),
        (
            "load generator",
            output(&config.root, "wrk", &["--version"])
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        ),
        ("PostgreSQL", output(&config.root, "psql", &["--version"])),
    ]
}

/// The commit measured, and whether the working tree had changes on top of it.
fn commit(config: &Config) -> String {
    let head = output(&config.root, "git", &["rev-parse", "--short", "HEAD"]);
    let changes = output(
        &config.root,
        "git",
        &["status", "--porcelain", "--untracked-files=no"],
    );
    if changes.is_empty() {
        head
    } else {
        format!("{head} with uncommitted changes")
    }
}

fn output(dir: &std::path::Path, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text).trim().to_owned()
        })
        .unwrap_or_else(|_| "not found".into())
}
