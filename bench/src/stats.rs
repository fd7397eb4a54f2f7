//! Samples and their summary: median, p95, p99, min-max.
//!
//! Percentiles are nearest-rank over every sample kept (no histogram
//! buckets, so no bucket error): the sample sets here are at most a few
//! million values, which sort in well under a second.

use serde::Serialize;
use std::time::Duration;

/// Durations in nanoseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<u64>);

impl Samples {
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    pub fn push(&mut self, d: Duration) {
        self.0.push(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    pub fn push_nanos(&mut self, ns: u64) {
        self.0.push(ns);
    }

    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    /// Sorts and summarises; `None` when there is no sample.
    pub fn summary(mut self) -> Option<Summary> {
        if self.0.is_empty() {
            return None;
        }
        self.0.sort_unstable();
        let v = &self.0;
        let rank = |p: f64| {
            let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            ms(v[i])
        };
        let sum: u128 = v.iter().map(|&x| u128::from(x)).sum();
        Some(Summary {
            count: v.len(),
            median_ms: rank(0.50),
            p95_ms: rank(0.95),
            p99_ms: rank(0.99),
            min_ms: ms(v[0]),
            max_ms: ms(v[v.len() - 1]),
            mean_ms: sum as f64 / v.len() as f64 / 1e6,
        })
    }
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} median {} p95 {} p99 {} min-max {}-{} ms",
            self.count,
            fmt_ms(self.median_ms),
            fmt_ms(self.p95_ms),
            fmt_ms(self.p99_ms),
            fmt_ms(self.min_ms),
            fmt_ms(self.max_ms),
        )
    }
}

pub fn fmt_ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.1}")
    }
}

/// Median, min and max of per-run figures (throughput per run, say).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub runs: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Self {
            runs: n,
            median,
            min: v[0],
            max: v[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for i in 1..=100u64 {
            s.push_nanos(i * 1_000_000);
        }
        let sum = s.summary().expect("samples");
        assert_eq!(sum.count, 100);
        assert_eq!(sum.median_ms, 50.0);
        assert_eq!(sum.p95_ms, 95.0);
        assert_eq!(sum.p99_ms, 99.0);
        assert_eq!(sum.min_ms, 1.0);
        assert_eq!(sum.max_ms, 100.0);
    }

    #[test]
    fn no_samples_no_summary() {
        assert!(Samples::default().summary().is_none());
    }

    #[test]
    fn spread_median_of_even_count() {
        let s = Spread::of(&[4.0, 1.0, 3.0, 2.0]).expect("values");
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 4.0));
    }
}
