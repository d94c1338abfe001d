// SPDX-License-Identifier: GPL-2.0
//! Test results as they happen, in `cargo test`'s line format, and a summary.

/// Collects named results and prints each as it is recorded.
#[derive(Default)]
pub struct Report {
    passed: usize,
    failed: Vec<String>,
}

impl Report {
    /// Records and prints the outcome of test `name`.
    pub fn record(&mut self, name: &str, outcome: Result<String, String>) {
        match outcome {
            Ok(detail) => {
                self.passed += 1;
                if detail.is_empty() {
                    println!("test {name} ... ok");
                } else {
                    println!("test {name} ... ok ({detail})");
                }
            }
            Err(why) => {
                println!(
                    "test {name} ... FAILED\n    {}",
                    why.replace('\n', "\n    ")
                );
                self.failed.push(name.to_string());
            }
        }
    }

    /// Whether every recorded test passed (and at least one ran).
    pub fn success(&self) -> bool {
        self.failed.is_empty() && self.passed > 0
    }

    /// Prints the closing summary line.
    pub fn summary(&self, suite: &str) {
        let verdict = if self.success() { "ok" } else { "FAILED" };
        println!(
            "\n{suite} result: {verdict}. {} passed; {} failed",
            self.passed,
            self.failed.len()
        );
        if !self.failed.is_empty() {
            println!("failed: {}", self.failed.join(", "));
        }
    }
}
