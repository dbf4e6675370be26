//! The severity-weighted compliance score:
//! 100 × Σ weight(passed) / Σ weight(evaluated), overall and per service.

use std::collections::BTreeMap;

use crate::model::{CheckResult, Status, Weights};
use crate::report::Score;

#[derive(Debug, Clone, Default)]
struct Tally {
    passed: f64,
    evaluated: f64,
}

impl Tally {
    fn add(&mut self, weight: f64, passed: bool) {
        self.evaluated += weight;
        if passed {
            self.passed += weight;
        }
    }

    fn percent(&self) -> Option<f64> {
        // All-zero weights leave nothing to measure: same as nothing evaluated.
        (self.evaluated > 0.0).then(|| (1000.0 * self.passed / self.evaluated).round() / 10.0)
    }
}

/// Weighted sums that grow result by result: what scores many accounts without keeping their
/// results.
#[derive(Debug, Clone)]
pub struct ScoreTally {
    weights: Weights,
    overall: Tally,
    by_service: BTreeMap<String, Tally>,
}

impl ScoreTally {
    pub fn new(weights: Weights) -> Self {
        ScoreTally {
            weights,
            overall: Tally::default(),
            by_service: BTreeMap::new(),
        }
    }

    /// Counts one result (callers leave muted results out).
    pub fn add(&mut self, result: &CheckResult) {
        let weight = self.weights.get(result.severity);
        let passed = result.status == Status::Pass;
        self.overall.add(weight, passed);
        self.by_service
            .entry(result.service.to_string())
            .or_default()
            .add(weight, passed);
    }

    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// Adds another tally's sums (same weights): an account's tally into the organization's.
    pub fn merge(&mut self, other: &ScoreTally) {
        self.overall.passed += other.overall.passed;
        self.overall.evaluated += other.overall.evaluated;
        for (service, tally) in &other.by_service {
            let mine = self.by_service.entry(service.clone()).or_default();
            mine.passed += tally.passed;
            mine.evaluated += tally.evaluated;
        }
    }

    pub fn score(&self) -> Score {
        Score {
            overall: self.overall.percent(),
            by_service: self
                .by_service
                .iter()
                .map(|(service, tally)| (service.clone(), tally.percent()))
                .collect(),
            weights: self.weights,
        }
    }
}

pub fn score<'a>(results: impl IntoIterator<Item = &'a CheckResult>, weights: Weights) -> Score {
    let mut tally = ScoreTally::new(weights);
    for result in results {
        tally.add(result);
    }
    tally.score()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn result(service: &str, severity: Severity, status: Status) -> CheckResult {
        CheckResult::example(&format!("{service}.x"), "", severity, status)
    }

    #[test]
    fn nothing_evaluated_scores_null() {
        let score = score(&[], Weights::default());
        assert_eq!(score.overall, None);
        assert!(score.by_service.is_empty());
    }

    #[test]
    fn score_is_weighted_by_severity() {
        let results = [
            result("s3", Severity::Critical, Status::Fail),
            result("s3", Severity::Medium, Status::Pass),
            result("ec2", Severity::High, Status::Pass),
            result("ec2", Severity::Low, Status::Pass),
        ];
        let score = score(&results, Weights::default());
        // passed 2 + 5 + 1 = 8 of 10 + 2 + 5 + 1 = 18
        assert_eq!(score.overall, Some(44.4));
        assert_eq!(score.by_service["s3"], Some(16.7));
        assert_eq!(score.by_service["ec2"], Some(100.0));
    }

    #[test]
    fn custom_weights_apply_and_zero_weights_mean_unscored() {
        let results = [
            result("iam", Severity::Critical, Status::Fail),
            result("iam", Severity::Low, Status::Pass),
        ];
        let mut weights = Weights::default();
        weights.set(Severity::Critical, 1.0);
        assert_eq!(score(&results, weights).overall, Some(50.0));
        let zero = Weights {
            critical: 0.0,
            high: 0.0,
            medium: 0.0,
            low: 0.0,
        };
        assert_eq!(score(&results, zero).overall, None);
    }
}
