//! The arithmetic of the benchmark report: medians, percentiles, ratios, and whether a figure
//! meets its target. Pure functions, so a unit test pins every rule the report relies on.

/// Median, minimum and maximum of one measure over the rounds of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub rounds: usize,
}

impl Summary {
    /// `None` for no samples (a measure that did not run); non-finite samples are ignored.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let sorted = sorted_finite(samples);
        Some(Summary {
            median: median_of_sorted(&sorted)?,
            min: *sorted.first()?,
            max: *sorted.last()?,
            rounds: sorted.len(),
        })
    }
}

fn sorted_finite(samples: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The median (the mean of the middle two for an even count).
fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest sample with at
/// least p % of the samples at or below it. With 50 keystrokes, p95 is the 48th fastest.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    let sorted = sorted_finite(samples);
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

/// `ours / baseline`; `None` when the baseline is zero or missing.
pub fn ratio(ours: f64, baseline: f64) -> Option<f64> {
    (baseline != 0.0 && ours.is_finite() && baseline.is_finite()).then(|| ours / baseline)
}

/// What a figure must do to meet its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// At most this much (≤).
    AtMost(f64),
    /// Strictly below this (<), e.g. "under one frame".
    Below(f64),
    /// At least this much (≥), e.g. "half the floor's rate or better".
    AtLeast(f64),
}

impl Bound {
    pub fn is_met_by(self, figure: f64) -> bool {
        match self {
            Bound::AtMost(limit) => figure <= limit,
            Bound::Below(limit) => figure < limit,
            Bound::AtLeast(limit) => figure >= limit,
        }
    }

    pub fn limit(self) -> f64 {
        match self {
            Bound::AtMost(limit) | Bound::Below(limit) | Bound::AtLeast(limit) => limit,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Bound::AtMost(_) => "≤",
            Bound::Below(_) => "<",
            Bound::AtLeast(_) => "≥",
        }
    }
}

/// Where one figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    /// The figure could not be measured in this run.
    NotMeasured,
}

impl Verdict {
    pub fn of(figure: Option<f64>, bound: Bound) -> Verdict {
        match figure {
            Some(value) if bound.is_met_by(value) => Verdict::Met,
            Some(_) => Verdict::NotMet,
            None => Verdict::NotMeasured,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not met",
            Verdict::NotMeasured => "not measured",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts_ignore_order_and_non_finite_samples() {
        let median = |samples: &[f64]| Summary::of(samples).map(|s| s.median);
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 2.0]), Some(2.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn summary_has_median_min_max_and_the_number_of_rounds() {
        let summary = Summary::of(&[30.0, 10.0, 20.0, 50.0, 40.0]).unwrap();
        assert_eq!(summary.median, 30.0);
        assert_eq!((summary.min, summary.max, summary.rounds), (10.0, 50.0, 5));
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let fifty: Vec<f64> = (1..=50).map(f64::from).collect();
        assert_eq!(percentile(&fifty, 95.0), Some(48.0));
        assert_eq!(percentile(&fifty, 50.0), Some(25.0));
        assert_eq!(percentile(&fifty, 100.0), Some(50.0));
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        // One slow keystroke in twenty is the p95.
        let mut twenty = vec![1.0; 19];
        twenty.push(30.0);
        assert_eq!(percentile(&twenty, 95.0), Some(1.0));
        twenty.push(30.0);
        assert_eq!(percentile(&twenty, 95.0), Some(30.0));
        assert_eq!(percentile(&[], 95.0), None);
        assert_eq!(percentile(&fifty, 0.0), None);
    }

    #[test]
    fn ratios_refuse_a_zero_baseline() {
        assert_eq!(ratio(150.0, 100.0), Some(1.5));
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(f64::NAN, 1.0), None);
    }

    #[test]
    fn targets_are_met_at_the_limit_only_when_the_bound_allows_it() {
        assert_eq!(Verdict::of(Some(1.5), Bound::AtMost(1.5)), Verdict::Met);
        assert_eq!(Verdict::of(Some(1.51), Bound::AtMost(1.5)), Verdict::NotMet);
        assert_eq!(Verdict::of(Some(16.7), Bound::Below(16.7)), Verdict::NotMet);
        assert_eq!(Verdict::of(Some(16.6), Bound::Below(16.7)), Verdict::Met);
        assert_eq!(Verdict::of(None, Bound::Below(16.7)), Verdict::NotMeasured);
        assert_eq!(Verdict::of(Some(0.5), Bound::AtLeast(0.5)), Verdict::Met);
        assert_eq!(
            Verdict::of(Some(0.49), Bound::AtLeast(0.5)),
            Verdict::NotMet
        );
        assert_eq!(Verdict::NotMet.label(), "not met");
    }
}
