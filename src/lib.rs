//! secaudit: audits the security posture of AWS accounts.
//!
//! [`audit::audit_account`] is the whole flow for one account, the one the CLI and the Lambda
//! run. The flow, one module each: an [`request::AuditRequest`] says what to audit; [`scan`]
//! collects an account into a [`services::Inventory`] (each service's collector, through the
//! clients of [`aws`]) and runs the [`services::checks`] over it;
//! [`exposures`] joins the failed results into ways in;
//! [`assess`] turns the scan into a [`report::Report`] (mutes, baseline, score, summary);
//! [`render`] turns it into bytes and [`deliver`] ships them; [`store`] keeps the state a
//! next run reads (baseline, history, mutelist). [`recheck`] is the event-driven path: CloudTrail
//! events to a scoped re-read merged into the latest report. [`model`] holds the vocabulary
//! they share.

pub mod assess;
pub mod audit;
pub mod aws;
pub mod compliance;
pub mod deliver;
pub mod exposures;
pub mod fleet;
pub mod function;
pub mod model;
pub mod policy;
pub mod recheck;
pub mod render;
pub mod report;
pub mod request;
pub mod scan;
pub mod services;
pub mod store;

pub use audit::{audit_account, AccountAudit};
