//! The actions that escalate: those that change a principal's permissions, those that take
//! another principal's identity, and the compute launches that run code under a passed role
//! (sources in [`super::steps`]).

use super::access::Access;

/// A compute service that runs code under a role passed to it: the service principal the
/// role's trust must admit and the actions it takes, each group needing one of its actions.
pub(super) struct Launch {
    pub service: &'static str,
    pub actions: &'static [&'static [&'static str]],
}

pub(super) const LAUNCHES: &[Launch] = &[
    // Rhino 3; the role must be in an instance profile.
    Launch {
        service: "ec2.amazonaws.com",
        actions: &[&["ec2:RunInstances"]],
    },
    // Rhino 15 and 16.
    Launch {
        service: "lambda.amazonaws.com",
        actions: &[
            &["lambda:CreateFunction"],
            &["lambda:InvokeFunction", "lambda:CreateEventSourceMapping"],
        ],
    },
    // Rhino 18.
    Launch {
        service: "glue.amazonaws.com",
        actions: &[&["glue:CreateDevEndpoint"]],
    },
    // Rhino 20.
    Launch {
        service: "cloudformation.amazonaws.com",
        actions: &[&["cloudformation:CreateStack"]],
    },
    // Rhino 21.
    Launch {
        service: "datapipeline.amazonaws.com",
        actions: &[
            &["datapipeline:CreatePipeline"],
            &["datapipeline:PutPipelineDefinition"],
        ],
    },
    // pathfinding.cloud codebuild-001.
    Launch {
        service: "codebuild.amazonaws.com",
        actions: &[&["codebuild:CreateProject"], &["codebuild:StartBuild"]],
    },
    // pathfinding.cloud sagemaker-001.
    Launch {
        service: "sagemaker.amazonaws.com",
        actions: &[&["sagemaker:CreateNotebookInstance"]],
    },
    // pathfinding.cloud ecs-001.
    Launch {
        service: "ecs-tasks.amazonaws.com",
        actions: &[
            &["ecs:RegisterTaskDefinition"],
            &["ecs:RunTask", "ecs:StartTask"],
        ],
    },
];

/// Actions that change a principal's own permissions (Rhino 1, 2, 7–13).
const MODIFYING: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
];

/// Actions that take another principal's identity (Rhino 4–6, 14, 17; pathfinding.cloud
/// ssm-001, ssm-002), `iam:PassRole` for the launches.
const TAKING: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "lambda:UpdateFunctionCode",
    "ssm:SendCommand",
    "ssm:StartSession",
];

/// The identity-taking actions whose resource is the principal taken.
pub(super) const TAKING_PRINCIPALS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
];

/// The escalating actions a principal's Allow statements name at all: the only ones worth
/// evaluating against each target.
pub(super) struct Named(Vec<&'static str>);

impl Named {
    pub fn of(access: &Access) -> Self {
        let launch_actions = LAUNCHES
            .iter()
            .flat_map(|l| l.actions.iter().copied().flatten());
        Named(
            MODIFYING
                .iter()
                .chain(TAKING)
                .copied()
                .chain(launch_actions.copied())
                .filter(|a| access.mentions(a))
                .collect(),
        )
    }

    pub fn has(&self, action: &str) -> bool {
        self.0.contains(&action)
    }

    /// Whether it names an action that changes a principal's permissions.
    pub fn modifies(&self) -> bool {
        MODIFYING.iter().any(|a| self.has(a))
    }

    /// Whether the identity-taking actions it names all act on principals (not on functions or
    /// instances): then their grants' resources bound the targets.
    pub fn takes_only_principals(&self) -> bool {
        TAKING
            .iter()
            .filter(|a| self.has(a))
            .all(|a| TAKING_PRINCIPALS.contains(a))
    }

    /// Whether it names an action that takes another principal's identity.
    pub fn takes(&self) -> bool {
        TAKING.iter().any(|a| self.has(a))
    }
}
