use super::Tags;

/// An EC2 instance in any state but terminated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instance {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub state: String,
    /// `required` or `optional`; `None` when the API did not report metadata options.
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    /// Public IPv4 addresses of the instance and of all its network interfaces.
    pub public_ips: Vec<String>,
    pub tags: Tags,
}

impl Instance {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Instance";
}

/// An EBS volume, attached or not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub encrypted: bool,
    pub kms_key_id: Option<String>,
    pub state: String,
    pub attached_instances: Vec<String>,
    pub tags: Tags,
}

impl Volume {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Volume";
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub region: String,
    pub arn: String,
    pub ingress: Vec<IngressRule>,
    pub egress: Vec<IngressRule>,
    pub tags: Tags,
}

impl SecurityGroup {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::SecurityGroup";

    /// The group AWS creates in every VPC (it cannot be deleted, only emptied).
    pub fn is_vpc_default(&self) -> bool {
        self.name == "default" && self.vpc_id.is_some()
    }
}

/// A VPC with the flow logs whose resource is the VPC itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vpc {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub is_default: bool,
    pub flow_logs: Vec<FlowLog>,
    pub tags: Tags,
}

impl Vpc {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::VPC";
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLog {
    pub id: String,
    /// `ACTIVE` when delivering.
    pub status: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
}

/// An AMI owned by the audited account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Image {
    pub id: String,
    pub name: String,
    pub region: String,
    pub arn: String,
    pub public: bool,
    pub tags: Tags,
}

impl Image {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Image";
}

/// One permission (ingress or egress) as the API reports it: a protocol, an optional port range,
/// the CIDRs (IPv4 and IPv6), and the other peers: security groups and prefix lists, never
/// "the world" for the exposure checks, but rules all the same.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or an IP protocol number such as `6`.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidrs: Vec<String>,
    /// Security-group ids and prefix-list ids.
    pub other_peers: Vec<String>,
}
