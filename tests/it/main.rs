//! The integration tests, one binary: against the moto emulator (each module starts its own
//! server), through the library, the `secaudit` binary and the Lambda engine. One binary links
//! the SDK once and runs every module's tests in parallel.

#[path = "../support/mod.rs"]
mod support;

mod account_public_access_block;
mod api_call_budget;
mod audit_emulated_account;
mod cli;
mod cluster_snapshots;
mod continuous_audit;
mod denied_reads;
mod dependencies;
mod event_recheck;
mod exposures;
mod lambda_handler;
mod layout;
mod organization;
mod permissions_denied;
mod properties;
mod snapshot_block_public_access;
mod transient_faults;
