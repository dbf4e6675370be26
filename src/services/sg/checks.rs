//! Security groups: ingress from the whole internet, IPv4 and IPv6.

use std::str::FromStr;

use ipnet::IpNet;

use super::{IngressRule, SecurityGroup};
use crate::model::{Severity, Status};
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};
use crate::services::checks::{CheckOptions, PortRange, RiskyPort};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &HIGH_RISK_PORTS,
    &ALL_PORTS_OPEN,
    &UNAUTHORIZED_WORLD_PORTS,
    &DEFAULT_RESTRICTS_ALL,
];

/// What can change a group's ingress rules (CloudTrail event names are the API operations).
const GROUP_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "AuthorizeSecurityGroupIngress",
        "RevokeSecurityGroupIngress",
        "ModifySecurityGroupRules",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
    ],
}];

/// What can change a default group's rules, both ways, or create or remove a VPC's default group.
const DEFAULT_GROUP_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "AuthorizeSecurityGroupIngress",
        "RevokeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupEgress",
        "ModifySecurityGroupRules",
        "CreateVpc",
        "CreateDefaultVpc",
        "DeleteVpc",
    ],
}];

const EVERY_PORT: PortRange = PortRange::new(0, 65535);

/// What traffic a rule lets in, as far as ports are concerned.
#[derive(Debug, PartialEq, Eq)]
enum Reach {
    /// Every protocol (`-1`): ports do not apply, everything is open.
    AllTraffic,
    /// TCP or UDP over a port range.
    Ports {
        protocol: &'static str,
        range: PortRange,
    },
    /// ICMP and other protocols without ports.
    NoPorts,
}

fn reach(rule: &IngressRule) -> Reach {
    let protocol = match rule.protocol.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => return Reach::AllTraffic,
        // Protocol numbers are accepted by the API as well as names.
        "tcp" | "6" => "tcp",
        "udp" | "17" => "udp",
        _ => return Reach::NoPorts,
    };
    // A TCP/UDP rule without ports covers all of them.
    let clamp = |port: Option<i32>, default: u16| {
        port.filter(|p| *p >= 0)
            .map_or(default, |p| u16::try_from(p).unwrap_or(u16::MAX))
    };
    let from = clamp(rule.from_port, 0);
    let to = clamp(rule.to_port, 65535);
    let range = if from > to {
        PortRange::new(to, from)
    } else {
        PortRange::new(from, to)
    };
    Reach::Ports { protocol, range }
}

impl Reach {
    fn covers_every_port(&self) -> bool {
        match self {
            Reach::AllTraffic => true,
            // 0-65535 and 1-65535 are both "all ports" in practice (port 0 is reserved).
            Reach::Ports { range, .. } => range.from <= 1 && range.to == EVERY_PORT.to,
            Reach::NoPorts => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Reach::AllTraffic => "all traffic".into(),
            Reach::Ports { protocol, range } => format!("{protocol} {range}"),
            Reach::NoPorts => "traffic".into(),
        }
    }
}

/// The rule's sources that are the whole internet: any IPv4 or IPv6 prefix of length 0.
fn world_sources(rule: &IngressRule) -> Vec<&str> {
    rule.cidrs
        .iter()
        .map(|c| c.trim())
        .filter(|c| IpNet::from_str(c).is_ok_and(|net| net.prefix_len() == 0))
        .collect()
}

/// Each ingress rule open to the world: what it lets in and from where ("0.0.0.0/0 and ::/0").
fn world_rules(group: &SecurityGroup) -> impl Iterator<Item = (Reach, String)> + '_ {
    group.ingress.iter().filter_map(|rule| {
        let sources = world_sources(rule);
        (!sources.is_empty()).then(|| (reach(rule), sources.join(" and ")))
    })
}

/// The group's ingress from the whole IPv4 internet (`0.0.0.0/0`), one entry per rule ("tcp 22
/// from 0.0.0.0/0"): how an exposure through a public IPv4 address gets in. Protocols without
/// ports (ICMP) are no way in and are left out; `::/0` does not reach an IPv4 address.
pub(crate) fn ipv4_world_ingress(group: &SecurityGroup) -> Vec<String> {
    ipv4_world_rules(group)
        .filter(|(reach, _)| *reach != Reach::NoPorts)
        .map(|(reach, _)| format!("{} from 0.0.0.0/0", reach.describe()))
        .collect()
}

fn ipv4_world_rules(group: &SecurityGroup) -> impl Iterator<Item = (Reach, String)> + '_ {
    group.ingress.iter().filter_map(|rule| {
        let v4 = world_sources(rule).into_iter().any(|c| !c.contains(':'));
        v4.then(|| (reach(rule), "0.0.0.0/0".to_string()))
    })
}

/// Whether the group lets `port`/TCP in from the whole internet (for the RDS exposure detail).
pub(crate) fn open_to_world_on(group: &SecurityGroup, port: u16) -> bool {
    admits_tcp(world_rules(group), port)
}

/// Whether the group lets `port`/TCP in from the whole IPv4 internet.
pub(crate) fn open_to_ipv4_world_on(group: &SecurityGroup, port: u16) -> bool {
    admits_tcp(ipv4_world_rules(group), port)
}

fn admits_tcp(mut rules: impl Iterator<Item = (Reach, String)>, port: u16) -> bool {
    rules.any(|(reach, _)| match reach {
        Reach::AllTraffic => true,
        Reach::Ports { protocol, range } => {
            protocol == "tcp" && range.overlaps(&PortRange::single(port))
        }
        Reach::NoPorts => false,
    })
}

/// The facts a failed exposure result rests on: each world-open rule as
/// `<0.0.0.0/0|::/0> <all traffic|tcp 22|udp 0-65535|traffic>`, read back by [`fact_admits`].
fn world_facts(group: &SecurityGroup) -> Vec<String> {
    let mut facts = Vec::new();
    for rule in &group.ingress {
        let reach = reach(rule);
        for source in world_sources(rule) {
            let family = if source.contains(':') {
                "::/0"
            } else {
                "0.0.0.0/0"
            };
            let fact = format!("{family} {}", reach.describe());
            if !facts.contains(&fact) {
                facts.push(fact);
            }
        }
    }
    facts
}

/// Whether a fact of [`world_facts`] admits `port` (TCP or UDP) from the world of that family
/// (`ipv6`: `::/0`; else `0.0.0.0/0`).
pub(crate) fn fact_admits(fact: &str, ipv6: bool, port: u16) -> bool {
    let family = if ipv6 { "::/0 " } else { "0.0.0.0/0 " };
    let Some(what) = fact.strip_prefix(family) else {
        return false;
    };
    if what == "all traffic" {
        return true;
    }
    // CIS 5.2/5.3 name TCP, UDP and all protocols alike.
    let Some(ports) = what
        .strip_prefix("tcp ")
        .or_else(|| what.strip_prefix("udp "))
    else {
        return false;
    };
    let (from, to) = ports.split_once('-').unwrap_or((ports, ports));
    matches!((from.parse::<u16>(), to.parse::<u16>()), (Ok(from), Ok(to)) if from <= port && port <= to)
}

fn group_resource(group: &SecurityGroup) -> Resource<'_> {
    Resource {
        resource_type: SecurityGroup::RESOURCE_TYPE,
        id: &group.id,
        name: Some(&group.name),
        arn: Some(&group.arn),
        region: &group.region,
    }
}

const HIGH_RISK_PORTS: Check = Check {
    id: "sg.high_risk_ports",
    service: Service::Sg,
    severity: Severity::Critical,
    resource_types: &[SecurityGroup::RESOURCE_TYPE],
    title: "Security groups do not open high-risk ports to the world",
    rationale: "Remote administration, file-sharing and database ports open to 0.0.0.0/0 or ::/0 \
                are scanned and brute-forced within minutes of exposure.",
    remediation: "Restrict the rule's source to known CIDRs or security groups, or reach the \
                  hosts through SSM Session Manager or a VPN instead.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    // EC2.13 (22), EC2.14 (3389) and EC2.19 (AWS's 24 ports, TCP, not customizable) are each
    // judged on the results' facts (`compliance::frameworks::fails_requirement`), whatever
    // port list the check was run with.
    fsbp: &["EC2.13", "EC2.14", "EC2.19"],
    cis: &["5.2", "5.3"],
    triggers: GROUP_CHANGES,
    reads: &[Read::all("ec2:DescribeSecurityGroups")],
    evaluate: high_risk_ports,
};

fn high_risk_ports(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    for group in &inventory.sg.security_groups {
        let mut risky = Vec::new();
        for (reach, from) in world_rules(group) {
            let detail = match &reach {
                Reach::AllTraffic => {
                    Some(format!("all traffic from {from} (every high-risk port)"))
                }
                Reach::Ports { range, .. } => {
                    let exposed: Vec<&RiskyPort> = options
                        .high_risk_ports
                        .iter()
                        .filter(|risky| risky.ports.overlaps(range))
                        .collect();
                    match exposed.as_slice() {
                        [] => None,
                        [only] if only.ports == *range => {
                            Some(format!("{} ({}) from {from}", reach.describe(), only.label))
                        }
                        _ => {
                            let named: Vec<String> = exposed
                                .iter()
                                .map(|r| format!("{} {}", r.label, r.ports))
                                .collect();
                            Some(format!(
                                "{} from {from} ({})",
                                reach.describe(),
                                enumerate(&named, 5)
                            ))
                        }
                    }
                }
                Reach::NoPorts => None,
            };
            risky.extend(detail);
        }
        // Passes carry the facts too: a requirement with its own port list decides on them.
        if risky.is_empty() {
            verdicts.record_with_facts(
                &group_resource(group),
                Status::Pass,
                "No ingress rule opens a high-risk port to 0.0.0.0/0 or ::/0.".into(),
                world_facts(group),
            );
        } else {
            verdicts.record_with_facts(
                &group_resource(group),
                Status::Fail,
                format!(
                    "Ingress open to the world on high-risk ports: {}.",
                    enumerate(&risky, 5)
                ),
                world_facts(group),
            );
        }
    }
}

const ALL_PORTS_OPEN: Check = Check {
    id: "sg.all_ports_open",
    service: Service::Sg,
    severity: Severity::Critical,
    resource_types: &[SecurityGroup::RESOURCE_TYPE],
    title: "Security groups do not open all ports to the world",
    rationale: "A rule allowing every protocol, or every TCP or UDP port, from the internet \
                exposes whatever service is listening on the host.",
    remediation: "Replace the rule with rules for the specific ports the workload serves, from \
                  the narrowest possible sources.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    // Not FSBP EC2.18, which allows only authorized ports (80 and 443 by default) to the world:
    // a group open on 8080 passes this check and fails EC2.18.
    fsbp: &[],
    cis: &["5.2", "5.3"],
    triggers: GROUP_CHANGES,
    reads: &[Read::all("ec2:DescribeSecurityGroups")],
    evaluate: all_ports_open,
};

fn all_ports_open(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for group in &inventory.sg.security_groups {
        let all_open: Vec<String> = world_rules(group)
            .filter(|(reach, _)| reach.covers_every_port())
            .map(|(reach, from)| format!("{} from {from}", reach.describe()))
            .collect();
        if all_open.is_empty() {
            verdicts.pass(
                &group_resource(group),
                "No ingress rule opens all ports to 0.0.0.0/0 or ::/0.".into(),
            );
        } else {
            verdicts.record_with_facts(
                &group_resource(group),
                Status::Fail,
                format!(
                    "Ingress open to the world on all ports: {}.",
                    enumerate(&all_open, 5)
                ),
                world_facts(group),
            );
        }
    }
}

/// FSBP EC2.18, AWS Config rule `vpc-sg-open-only-to-authorized-ports` (Security Hub's
/// `authorizedTcpPorts` 80 and 443, no `authorizedUdpPorts`): a group admitting `0.0.0.0/0` or
/// `::/0` fails on any TCP port outside the authorized ones, any UDP port, or all traffic.
/// AWS does not say how its rule treats UDP without authorized UDP ports; none authorized
/// means none may be open. <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18>
const UNAUTHORIZED_WORLD_PORTS: Check = Check {
    id: "sg.unauthorized_world_ports",
    service: Service::Sg,
    severity: Severity::High,
    resource_types: &[SecurityGroup::RESOURCE_TYPE],
    title: "Security groups open only authorized ports to the world",
    rationale: "Anything listening behind a port open to 0.0.0.0/0 or ::/0 is reachable by \
                every scanner on the internet; only the ports a public service is meant to \
                serve (HTTP and HTTPS by default) should be.",
    remediation: "Restrict the rule's source to known CIDRs, security groups or a prefix list, \
                  or put the service behind a load balancer that serves 80 and 443.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18",
    fsbp: &["EC2.18"],
    cis: &[],
    triggers: GROUP_CHANGES,
    reads: &[Read::all("ec2:DescribeSecurityGroups")],
    evaluate: unauthorized_world_ports,
};

/// Whether every port of `range` is in one of `authorized` (ranges may be adjacent).
fn authorized(range: &PortRange, authorized: &[PortRange]) -> bool {
    let mut next = u32::from(range.from);
    while next <= u32::from(range.to) {
        let Some(covering) = authorized
            .iter()
            .find(|a| u32::from(a.from) <= next && next <= u32::from(a.to))
        else {
            return false;
        };
        next = u32::from(covering.to) + 1;
    }
    true
}

fn unauthorized_world_ports(
    inventory: &Inventory,
    options: &CheckOptions,
    verdicts: &mut Verdicts,
) {
    for group in &inventory.sg.security_groups {
        let open: Vec<(Reach, String)> = world_rules(group).collect();
        // A group admitting nothing from the world is outside the rule's scope.
        if open.is_empty() {
            continue;
        }
        let unauthorized: Vec<String> = open
            .iter()
            .filter(|(reach, _)| match reach {
                Reach::AllTraffic => true,
                Reach::Ports { protocol, range } => {
                    *protocol == "udp" || !authorized(range, &options.authorized_world_ports)
                }
                Reach::NoPorts => false,
            })
            .map(|(reach, from)| format!("{} from {from}", reach.describe()))
            .collect();
        let allowed: Vec<String> = options
            .authorized_world_ports
            .iter()
            .map(|p| p.to_string())
            .collect();
        verdicts.judge(
            &group_resource(group),
            unauthorized.is_empty(),
            || {
                format!(
                    "Only authorized TCP ports ({}) are open to 0.0.0.0/0 or ::/0.",
                    allowed.join(", ")
                )
            },
            || {
                format!(
                    "Ingress open to the world beyond the authorized TCP ports ({}): {}.",
                    allowed.join(", "),
                    enumerate(&unauthorized, 5)
                )
            },
        );
    }
}

const DEFAULT_RESTRICTS_ALL: Check = Check {
    id: "sg.default_restricts_all",
    service: Service::Sg,
    severity: Severity::High,
    resource_types: &[SecurityGroup::RESOURCE_TYPE],
    title: "The default security group of every VPC allows no traffic",
    rationale: "Resources launched without a group land in the VPC's default group; AWS creates \
                it with all egress and a self-referencing ingress, so anything placed there by \
                mistake can reach everything else there and the internet.",
    remediation: "Remove every ingress and egress rule from each VPC's default group and give \
                  workloads groups of their own.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
    fsbp: &["EC2.2"],
    cis: &["5.4"],
    triggers: DEFAULT_GROUP_CHANGES,
    reads: &[Read::all("ec2:DescribeSecurityGroups")],
    evaluate: default_restricts_all,
};

/// `tcp 443 from sg-1, pl-2 and 0.0.0.0/0` style, for each rule.
fn describe_rules(rules: &[IngressRule]) -> Vec<String> {
    rules
        .iter()
        .map(|rule| {
            let peers: Vec<String> = rule
                .cidrs
                .iter()
                .chain(&rule.other_peers)
                .cloned()
                .collect();
            format!("{} with {}", reach(rule).describe(), enumerate(&peers, 3))
        })
        .collect()
}

fn default_restricts_all(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for group in inventory
        .sg
        .security_groups
        .iter()
        .filter(|g| g.is_vpc_default())
    {
        let vpc = group.vpc_id.as_deref().unwrap_or_default();
        verdicts.judge(
            &group_resource(group),
            group.ingress.is_empty() && group.egress.is_empty(),
            || format!("The default group of {vpc} has no ingress and no egress rule."),
            || {
                let mut parts = Vec::new();
                if !group.ingress.is_empty() {
                    parts.push(format!(
                        "ingress {}",
                        enumerate(&describe_rules(&group.ingress), 3)
                    ));
                }
                if !group.egress.is_empty() {
                    parts.push(format!(
                        "egress {}",
                        enumerate(&describe_rules(&group.egress), 3)
                    ));
                }
                format!(
                    "The default group of {vpc} still allows traffic: {}.",
                    parts.join("; ")
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::request::parse_port_ranges;
    use crate::services::checks::evaluate;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::sg;

    pub fn cases() -> Vec<Case> {
        let groups = || {
            Inventory::from(sg::Inventory {
                security_groups: vec![
                    group("open-ssh", vec![rule("tcp", Some(22), Some(22), &["::/0"])]),
                    group("open-all", vec![rule("-1", None, None, &["0.0.0.0/0"])]),
                    group(
                        "https-only",
                        vec![rule("tcp", Some(443), Some(443), &["0.0.0.0/0"])],
                    ),
                ],
            })
        };
        let case = |check, resource_id, expected| Case {
            check,
            resource_id,
            expected,
            inventory: groups,
            region: None,
        };
        let defaults = || {
            let mut aws_default = group("sg-aws-default", vec![]);
            aws_default.name = "default".into();
            aws_default.ingress = vec![IngressRule {
                protocol: "-1".into(),
                other_peers: vec!["sg-aws-default".into()],
                ..Default::default()
            }];
            aws_default.egress = vec![rule("-1", None, None, &["0.0.0.0/0"])];
            let mut emptied = group("sg-emptied", vec![]);
            emptied.name = "default".into();
            Inventory::from(sg::Inventory {
                security_groups: vec![aws_default, emptied],
            })
        };
        let default_case = |resource_id, expected| Case {
            check: "sg.default_restricts_all",
            resource_id,
            expected,
            inventory: defaults,
            region: None,
        };
        vec![
            default_case("sg-emptied", Status::Pass),
            default_case("sg-aws-default", Status::Fail),
            case("sg.high_risk_ports", "https-only", Status::Pass),
            case("sg.high_risk_ports", "open-ssh", Status::Fail),
            case("sg.all_ports_open", "open-ssh", Status::Pass),
            case("sg.all_ports_open", "open-all", Status::Fail),
            case("sg.unauthorized_world_ports", "https-only", Status::Pass),
            case("sg.unauthorized_world_ports", "open-ssh", Status::Fail),
        ]
    }

    #[test]
    fn only_authorized_tcp_ports_may_be_open_to_the_world() {
        let web = group(
            "web",
            vec![
                rule("tcp", Some(80), Some(80), &["0.0.0.0/0", "::/0"]),
                rule("tcp", Some(443), Some(443), &["::/0"]),
                rule("icmp", Some(-1), Some(-1), &["0.0.0.0/0"]),
                rule("tcp", Some(22), Some(22), &["10.0.0.0/8"]),
            ],
        );
        let results = run(&Inventory::from(sg::Inventory {
            security_groups: vec![
                web.clone(),
                group(
                    "alt-http",
                    vec![rule("tcp", Some(8080), Some(8080), &["0.0.0.0/0"])],
                ),
                group(
                    "web-range",
                    vec![rule("tcp", Some(80), Some(443), &["0.0.0.0/0"])],
                ),
                group("dns", vec![rule("udp", Some(53), Some(53), &["::/0"])]),
                group(
                    "private",
                    vec![rule("tcp", Some(22), Some(22), &["10.0.0.0/8"])],
                ),
            ],
        }));
        let check = "sg.unauthorized_world_ports";
        assert_eq!(only(&results, check, "web").status, Status::Pass);
        assert_eq!(
            only(&results, check, "alt-http").detail,
            "Ingress open to the world beyond the authorized TCP ports (80, 443): tcp 8080 from \
             0.0.0.0/0."
        );
        // 81-442 lie between the authorized ports; UDP is never authorized.
        assert_eq!(only(&results, check, "web-range").status, Status::Fail);
        assert_eq!(only(&results, check, "dns").status, Status::Fail);
        // Nothing open to the world: outside the rule's scope.
        none(&results, check, "private");
        // 8080 is one of AWS's high-risk ports (EC2.19), so it is one of the defaults.
        assert_eq!(
            only(&results, "sg.high_risk_ports", "alt-http").status,
            Status::Fail
        );
        // A configured range counts as authorized, adjacent ranges together.
        let options = CheckOptions {
            authorized_world_ports: vec![PortRange::new(80, 100), PortRange::new(101, 443)],
            ..CheckOptions::default()
        };
        let results = evaluate(
            &Inventory::from(sg::Inventory {
                security_groups: vec![group(
                    "web-range",
                    vec![rule("tcp", Some(80), Some(443), &["0.0.0.0/0"])],
                )],
            }),
            "123456789012",
            &options,
            crate::services::checks::test_support::NOW,
        );
        assert_eq!(only(&results, check, "web-range").status, Status::Pass);
    }

    fn rule(protocol: &str, from: Option<i32>, to: Option<i32>, cidrs: &[&str]) -> IngressRule {
        IngressRule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
            other_peers: vec![],
        }
    }

    fn group(id: &str, ingress: Vec<IngressRule>) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: id.into(),
            vpc_id: Some("vpc-1".into()),
            region: "us-east-1".into(),
            arn: format!("arn:aws:ec2:us-east-1:123456789012:security-group/{id}"),
            ingress,
            ..Default::default()
        }
    }

    fn statuses(groups: Vec<SecurityGroup>) -> Vec<(String, Status, Status)> {
        let results = run(&Inventory::from(sg::Inventory {
            security_groups: groups.clone(),
        }));
        groups
            .iter()
            .map(|g| {
                (
                    g.id.clone(),
                    only(&results, "sg.high_risk_ports", &g.id).status,
                    only(&results, "sg.all_ports_open", &g.id).status,
                )
            })
            .collect()
    }

    #[test]
    fn a_default_group_fails_on_any_rule_and_only_default_groups_are_judged() {
        let default_with = |id: &str, ingress: Vec<IngressRule>, egress: Vec<IngressRule>| {
            let mut g = group(id, ingress);
            g.name = "default".into();
            g.egress = egress;
            g
        };
        let peer = |peer: &str| IngressRule {
            protocol: "-1".into(),
            other_peers: vec![peer.into()],
            ..Default::default()
        };
        let mut classic = default_with("sg-classic", vec![], vec![]);
        classic.vpc_id = None;
        let results = run(&Inventory::from(sg::Inventory {
            security_groups: vec![
                default_with("sg-self", vec![peer("sg-self")], vec![]),
                default_with("sg-v6", vec![], vec![rule("-1", None, None, &["::/0"])]),
                default_with("sg-prefix", vec![], vec![peer("pl-63a5400a")]),
                classic,
                group("sg-app", vec![]),
            ],
        }));
        let detail = |id| {
            let result = only(&results, "sg.default_restricts_all", id);
            assert_eq!(result.status, Status::Fail, "{id}");
            result.detail.clone()
        };
        assert_eq!(
            detail("sg-self"),
            "The default group of vpc-1 still allows traffic: ingress all traffic with sg-self."
        );
        assert!(detail("sg-v6").contains("egress all traffic with ::/0"));
        assert!(detail("sg-prefix").contains("pl-63a5400a"));
        assert!(!results
            .iter()
            .any(|r| r.check_id == "sg.default_restricts_all"
                && (r.resource_id == "sg-classic" || r.resource_id == "sg-app")));
    }

    #[test]
    fn verdicts_for_the_subtle_rules() {
        use Status::{Fail, Pass};
        let cases = vec![
            (
                group(
                    "ssh-v4",
                    vec![rule("tcp", Some(22), Some(22), &["0.0.0.0/0"])],
                ),
                Fail,
                Pass,
            ),
            (
                group("ssh-v6", vec![rule("tcp", Some(22), Some(22), &["::/0"])]),
                Fail,
                Pass,
            ),
            (
                group(
                    "ssh-private",
                    vec![rule(
                        "tcp",
                        Some(22),
                        Some(22),
                        &["10.0.0.0/8", "2001:db8::/32"],
                    )],
                ),
                Pass,
                Pass,
            ),
            (
                group(
                    "range-over-rdp",
                    vec![rule("tcp", Some(3000), Some(4000), &["0.0.0.0/0"])],
                ),
                Fail,
                Pass,
            ),
            (
                group(
                    "https",
                    vec![rule("tcp", Some(443), Some(443), &["0.0.0.0/0", "::/0"])],
                ),
                Pass,
                Pass,
            ),
            (
                group("all-traffic", vec![rule("-1", None, None, &["0.0.0.0/0"])]),
                Fail,
                Fail,
            ),
            (
                group(
                    "all-with-ports",
                    vec![rule("-1", Some(443), Some(443), &["::/0"])],
                ),
                Fail,
                Fail,
            ),
            (
                group(
                    "all-tcp",
                    vec![rule("tcp", Some(0), Some(65535), &["0.0.0.0/0"])],
                ),
                Fail,
                Fail,
            ),
            (
                group(
                    "all-udp-from-1",
                    vec![rule("udp", Some(1), Some(65535), &["::/0"])],
                ),
                Fail,
                Fail,
            ),
            (
                group(
                    "numeric-tcp",
                    vec![rule("6", Some(3389), Some(3389), &["0.0.0.0/0"])],
                ),
                Fail,
                Pass,
            ),
            (
                group(
                    "tcp-no-ports",
                    vec![rule("tcp", None, None, &["0.0.0.0/0"])],
                ),
                Fail,
                Fail,
            ),
            (
                group(
                    "icmp",
                    vec![rule("icmp", Some(-1), Some(-1), &["0.0.0.0/0"])],
                ),
                Pass,
                Pass,
            ),
            (
                group(
                    "icmp-type-22",
                    vec![rule("icmp", Some(22), Some(22), &["0.0.0.0/0"])],
                ),
                Pass,
                Pass,
            ),
            (
                group("esp", vec![rule("50", None, None, &["0.0.0.0/0"])]),
                Pass,
                Pass,
            ),
            (
                group(
                    "udp-dns",
                    vec![rule("udp", Some(53), Some(53), &["0.0.0.0/0"])],
                ),
                Pass,
                Pass,
            ),
            (
                group(
                    "odd-world-spelling",
                    vec![rule("tcp", Some(5432), Some(5432), &["::0/0"])],
                ),
                Fail,
                Pass,
            ),
            (
                group(
                    "not-a-cidr",
                    vec![rule("tcp", Some(22), Some(22), &["garbage"])],
                ),
                Pass,
                Pass,
            ),
            (group("no-rules", vec![]), Pass, Pass),
        ];
        let expected: Vec<_> = cases
            .iter()
            .map(|(g, h, a)| (g.id.clone(), *h, *a))
            .collect();
        assert_eq!(
            statuses(cases.into_iter().map(|(g, _, _)| g).collect()),
            expected
        );
    }

    #[test]
    fn details_name_ports_services_and_cidrs() {
        let results = run(&Inventory::from(sg::Inventory {
            security_groups: vec![
                group(
                    "ssh",
                    vec![rule("tcp", Some(22), Some(22), &["0.0.0.0/0", "::/0"])],
                ),
                group(
                    "wide",
                    vec![rule("tcp", Some(0), Some(1024), &["0.0.0.0/0"])],
                ),
                group("all", vec![rule("-1", None, None, &["::/0"])]),
            ],
        }));
        assert_eq!(
            only(&results, "sg.high_risk_ports", "ssh").detail,
            "Ingress open to the world on high-risk ports: tcp 22 (SSH) from 0.0.0.0/0 and ::/0."
        );
        let wide = &only(&results, "sg.high_risk_ports", "wide").detail;
        assert!(
            wide.contains("tcp 0-1024 from 0.0.0.0/0 (FTP 20-21, SSH 22, Telnet 23"),
            "{wide}"
        );
        assert_eq!(
            only(&results, "sg.all_ports_open", "all").detail,
            "Ingress open to the world on all ports: all traffic from ::/0."
        );
    }

    #[test]
    fn high_risk_ports_are_configurable() {
        let options = CheckOptions {
            high_risk_ports: parse_port_ranges("8080")
                .unwrap()
                .into_iter()
                .map(|ports| RiskyPort {
                    ports,
                    label: "custom".into(),
                })
                .collect(),
            ..CheckOptions::default()
        };
        let inventory = Inventory::from(sg::Inventory {
            security_groups: vec![
                group("ssh", vec![rule("tcp", Some(22), Some(22), &["0.0.0.0/0"])]),
                group(
                    "web",
                    vec![rule("tcp", Some(8000), Some(9000), &["0.0.0.0/0"])],
                ),
            ],
        });
        let results = evaluate(
            &inventory,
            "123456789012",
            &options,
            crate::services::checks::test_support::NOW,
        );
        assert_eq!(
            only(&results, "sg.high_risk_ports", "ssh").status,
            Status::Pass
        );
        assert_eq!(
            only(&results, "sg.high_risk_ports", "web").status,
            Status::Fail
        );
    }

    #[test]
    fn reversed_and_out_of_range_ports_are_normalised() {
        assert_eq!(
            reach(&rule("tcp", Some(3390), Some(3380), &[])),
            Reach::Ports {
                protocol: "tcp",
                range: PortRange::new(3380, 3390)
            }
        );
        assert_eq!(
            reach(&rule("udp", Some(-1), Some(70000), &[])),
            Reach::Ports {
                protocol: "udp",
                range: EVERY_PORT
            }
        );
    }
}
