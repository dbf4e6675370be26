//! Counts every API request the audit makes, through an SDK interceptor on every client.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::model::ApiCalls;

#[derive(Debug, Default, Clone)]
struct Counts {
    /// Executions (one per API call, whatever its retries) by (service, operation).
    executions: BTreeMap<(String, String), u64>,
    /// Attempts, first tries and retries together.
    attempts: u64,
}

/// Shared by all clients of one process; [`ApiCallCounter::since`] gives one run's share.
#[derive(Debug, Default, Clone)]
pub struct ApiCallCounter {
    counts: Arc<Mutex<Counts>>,
}

/// A point-in-time copy of the counts.
#[derive(Debug, Default, Clone)]
pub struct ApiCallSnapshot(Counts);

impl ApiCallCounter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic elsewhere while holding the lock leaves plain counters: still usable.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn snapshot(&self) -> ApiCallSnapshot {
        ApiCallSnapshot(self.lock().clone())
    }

    /// The calls made since `before` was taken.
    pub fn since(&self, before: &ApiCallSnapshot) -> ApiCalls {
        let now = self.lock().clone();
        let mut calls = ApiCalls::default();
        for ((service, operation), count) in &now.executions {
            let earlier = before
                .0
                .executions
                .get(&(service.clone(), operation.clone()))
                .copied()
                .unwrap_or(0);
            let count = count - earlier;
            if count == 0 {
                continue;
            }
            calls.total += count;
            *calls.by_service.entry(service.clone()).or_default() += count;
            calls
                .by_operation
                .insert(format!("{service}:{operation}"), count);
        }
        let attempts = now.attempts - before.0.attempts;
        calls.retries = attempts.saturating_sub(calls.total);
        calls
    }
}

/// `S3 Control` → `s3control`, `EC2` → `ec2`: the names IAM actions use.
fn service_key(service: &str) -> String {
    service.replace(' ', "").to_ascii_lowercase()
}

impl Intercept for ApiCallCounter {
    fn name(&self) -> &'static str {
        "ApiCallCounter"
    }

    // Once per execution. Not `read_before_execution`: client interceptors run that before
    // the operation's configuration (and its Metadata) is in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = match cfg.load::<Metadata>() {
            Some(metadata) => (service_key(metadata.service()), metadata.name().to_string()),
            None => ("unknown".to_string(), "unknown".to_string()),
        };
        *self
            .lock()
            .executions
            .entry((service, operation))
            .or_default() += 1;
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.lock().attempts += 1;
        Ok(())
    }
}
