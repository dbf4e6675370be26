//! Ship bytes somewhere: [`file`] (stdout or a local file), [`s3`] (the report in a bucket),
//! [`alert`] (the account alert), [`change_alert`] (an event batch's) and [`digest`] (the organization digest) through [`sns`].
//! A delivery never changes a report; a failure names its destination and never stops the
//! other deliveries.

pub mod alert;
pub mod change_alert;
pub mod digest;
pub mod file;
mod fit;
pub mod s3;
pub mod sns;

use futures::future::BoxFuture;

use crate::report::Report;

/// What a delivery did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivered {
    pub destination: String,
    /// The id the destination gave the message (SNS), if any.
    pub message_id: Option<String>,
    /// Findings the delivery carried (an alert's findings); 0 for a whole report.
    pub findings: usize,
}

/// A delivery that did not arrive: what was being done, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action} failed ({code}) at {destination}: {message}")]
pub struct DeliveryError {
    /// `writing the report`, `publishing the alert`, ...
    pub action: &'static str,
    pub destination: String,
    pub code: String,
    pub message: String,
}

/// Ships a report to one destination. Deliveries run one after another; one failing never
/// stops the next.
pub trait Delivery: Send + Sync {
    /// Where the report will be stored if this delivery stores it (S3): deliveries that follow
    /// link to it.
    fn report_uri(&self, _report: &Report) -> Option<String> {
        None
    }

    /// `report_uri` is where the report is (or was meant to be) stored, for links.
    fn deliver<'a>(
        &'a self,
        report: &'a Report,
        report_uri: &'a str,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>>;
}

/// What a list of deliveries did: where the report is, and each delivery's outcome in order.
#[derive(Debug)]
pub struct Outcome {
    /// The stored report's URI; ends in `(not written)` when storing it failed.
    pub report_uri: String,
    pub delivered: Vec<Delivered>,
    pub failed: Vec<DeliveryError>,
}

/// Runs every delivery in order. A delivery that stores the report and fails marks the link
/// the later ones carry as `(not written)`, so an alert never points at a missing object
/// without saying so.
pub async fn deliver_all(report: &Report, deliveries: &[Box<dyn Delivery>]) -> Outcome {
    let mut report_uri = deliveries
        .iter()
        .find_map(|d| d.report_uri(report))
        .unwrap_or_default();
    let mut outcome = Outcome {
        report_uri: String::new(),
        delivered: Vec::new(),
        failed: Vec::new(),
    };
    for delivery in deliveries {
        match delivery.deliver(report, &report_uri).await {
            Ok(delivered) => outcome.delivered.push(delivered),
            Err(error) => {
                tracing::error!(%error, "delivery failed");
                if delivery.report_uri(report).is_some() {
                    report_uri = format!("{report_uri} (not written)");
                }
                outcome.failed.push(error);
            }
        }
    }
    outcome.report_uri = report_uri;
    outcome
}
