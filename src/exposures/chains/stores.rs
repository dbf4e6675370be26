//! Data stores and control planes reachable from the internet.

use super::{describe, detail, group_ids, Links};
use crate::exposures::{exposure, Exposure, ExposureKind, StepRole};
use crate::services::eks::Cluster;
use crate::services::opensearch::Domain;
use crate::services::rds::{DbCluster, DbInstance};
use crate::services::redshift::RedshiftCluster;
use crate::services::sg::{open_to_ipv4_world_on, open_to_world_on};

impl Links<'_> {
    pub(super) fn database(&self, db: &DbInstance) -> Option<Exposure> {
        let port = u16::try_from(db.port?).ok()?;
        let open = self.open_groups(&db.region, &db.security_groups, Some(port));
        if open.is_empty() {
            return None;
        }
        let at = (
            DbInstance::RESOURCE_TYPE,
            db.region.as_str(),
            db.id.as_str(),
        );
        let entry = self
            .failed
            .step("rds.public_access", at, StepRole::Entry, |_| {
                format!(
                    "It is publicly accessible on port {port} and {}.",
                    describe(&open)
                )
            })?;
        let mut steps = vec![entry];
        steps.extend(self.port_steps(&open));
        let unencrypted = |r: &crate::model::CheckResult| format!("What it stores: {}", r.detail);
        let storage = match &db.cluster_id {
            Some(cluster) => self.failed.step(
                "rds.storage_encrypted",
                (
                    DbCluster::RESOURCE_TYPE,
                    db.region.as_str(),
                    cluster.as_str(),
                ),
                StepRole::Ease,
                unencrypted,
            ),
            None => self
                .failed
                .step("rds.storage_encrypted", at, StepRole::Ease, unencrypted),
        };
        steps.extend(storage);
        let title = format!(
            "Database {} accepts connections from the internet on port {port}.",
            db.id
        );
        let fix = format!(
            "Set PubliclyAccessible to false on {}, or restrict port {port} on {} to known addresses.",
            db.id,
            group_ids(&open)
        );
        Some(exposure(
            ExposureKind::ReachableDatabase,
            steps,
            false,
            title,
            fix,
        ))
    }

    pub(super) fn warehouse(&self, cluster: &RedshiftCluster) -> Option<Exposure> {
        let at = (
            RedshiftCluster::RESOURCE_TYPE,
            cluster.region.as_str(),
            cluster.id.as_str(),
        );
        // An IPv4 cluster's public endpoint is an IPv4 address: a group open only to ::/0
        // (which fails `redshift.port_not_open`) admits no one through it; a dual-stack one
        // (`IpAddressType`, DescribeClusters) is reached over either.
        let cluster_port = cluster.port?;
        let dual_stack = cluster.ip_address_type.as_deref() == Some("dualstack");
        let reachable = (self.inventory.redshift.security_groups.iter())
            .filter(|g| g.region == cluster.region && cluster.security_groups.contains(&g.id))
            .any(|g| {
                if dual_stack {
                    open_to_world_on(g, cluster_port)
                } else {
                    open_to_ipv4_world_on(g, cluster_port)
                }
            });
        if !reachable {
            return None;
        }
        let entry = self
            .failed
            .step("redshift.not_public", at, StepRole::Entry, detail)?;
        let port = self
            .failed
            .step("redshift.port_not_open", at, StepRole::Entry, detail)?;
        Some(exposure(
            ExposureKind::ReachableWarehouse,
            vec![entry, port],
            false,
            format!(
                "Redshift cluster {} accepts connections from the internet on its port.",
                cluster.id
            ),
            format!("Turn off public accessibility on {}.", cluster.id),
        ))
    }

    pub(super) fn search_domain(&self, domain: &Domain) -> Option<Exposure> {
        let at = (
            Domain::RESOURCE_TYPE,
            domain.region.as_str(),
            domain.name.as_str(),
        );
        let entry = self
            .failed
            .step("opensearch.not_public", at, StepRole::Entry, detail)?;
        let access =
            self.failed
                .step("opensearch.fine_grained_access", at, StepRole::Ease, detail)?;
        Some(exposure(
            ExposureKind::PublicSearchDomain,
            vec![entry, access],
            false,
            format!(
                "OpenSearch domain {} has a public endpoint guarded only by its access policy.",
                domain.name
            ),
            format!(
                "Enable fine-grained access control on {} (a VPC domain needs a new domain).",
                domain.name
            ),
        ))
    }

    pub(super) fn kubernetes_api(&self, cluster: &Cluster) -> Option<Exposure> {
        let endpoint = cluster.endpoint.as_ref()?;
        let cidrs = &endpoint.public_access_cidrs;
        let from_anywhere =
            cidrs.is_empty() || cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0");
        if !endpoint.public || !from_anywhere {
            return None;
        }
        let at = (
            Cluster::RESOURCE_TYPE,
            cluster.region.as_str(),
            cluster.name.as_str(),
        );
        let entry = self
            .failed
            .step("eks.endpoint_not_public", at, StepRole::Entry, detail)?;
        let version = self
            .failed
            .step("eks.supported_version", at, StepRole::Ease, detail)?;
        Some(exposure(
            ExposureKind::PublicKubernetesApi,
            vec![entry, version],
            false,
            format!(
                "The Kubernetes API of EKS cluster {} answers the whole internet on a version \
                 out of standard support.",
                cluster.name
            ),
            format!(
                "Limit publicAccessCidrs of {} to known addresses (or make the endpoint private).",
                cluster.name
            ),
        ))
    }
}
