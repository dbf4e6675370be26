"""Holds infra/template.yaml to secaudit's own standards: the report bucket and the alert topic
pass the checks that apply to them, the function's role grants no wildcard write, and the
re-check queue is fed by EventBridge rules only and read by the function only.

Prints "N passed, N failed"; exits non-zero on any failure.
Usage: python template_policy.py infra/template.yaml   (with PyYAML; `make test` runs it)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tally import Tally  # noqa: E402
from asl import load_template  # noqa: E402

READ_ONLY_PREFIXES = ("Get", "List", "Describe")
# SAM's poll-based events attach an AWS-managed execution policy on every stream or queue
# (AWSLambdaSQSQueueExecutionRole: Resource "*"); the template maps its queue itself.
SAM_PULL_EVENTS = ("SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB")


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements(policy):
    """(condition, statement) for each statement; a conditional one (!If [cond, statement,
    NoValue]) with its condition's name."""
    for statement in as_list(policy["Statement"]):
        if isinstance(statement, dict) and "If" in statement:
            condition = statement["If"][0]
            yield from ((condition, s) for s in statement["If"][1:] if isinstance(s, dict) and "Effect" in s)
        else:
            yield None, statement


def main():
    template = load_template(sys.argv[1])
    resources = template["Resources"]
    tally = Tally("template policy")
    check = tally.check

    buckets = {k: v for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket"}
    for name, bucket in buckets.items():
        props = bucket.get("Properties", {})
        rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        check(f"{name}_s3.default_encryption", any(r.get("ServerSideEncryptionByDefault") for r in rules))
        check(f"{name}_s3.versioning", props.get("VersioningConfiguration", {}).get("Status") == "Enabled")
        block = props.get("PublicAccessBlockConfiguration", {})
        settings = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        check(f"{name}_s3.public_access_block", all(block.get(s) is True for s in settings), block)
        policies = [p for p in resources.values() if p["Type"] == "AWS::S3::BucketPolicy"
                    and p["Properties"]["Bucket"] == {"Ref": name}]
        tls_only = any(
            s.get("Effect") == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            for p in policies for s in as_list(p["Properties"]["PolicyDocument"]["Statement"])
        )
        check(f"{name}_tls_only", tls_only)

    for name, topic in resources.items():
        if topic["Type"] == "AWS::SNS::Topic":
            check(f"{name}_encrypted", "KmsMasterKeyId" in topic.get("Properties", {}))

    for name, policy in resources.items():
        if policy["Type"] != "AWS::SQS::QueuePolicy":
            continue
        for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"]):
            check(f"{name}_{statement.get('Sid', 'statement')}_eventbridge_rules_send_only",
                  statement["Principal"] == {"Service": "events.amazonaws.com"}
                  and statement["Action"] == "sqs:SendMessage"
                  and "aws:SourceArn" in statement.get("Condition", {}).get("ArnEquals", {}), statement)

    for name, function in resources.items():
        if function["Type"] not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        for policy in function["Properties"].get("Policies", []):
            if isinstance(policy, dict) and set(policy) == {"LambdaInvokePolicy"}:
                # SAM's template: lambda:InvokeFunction on exactly the named function.
                check(f"{name}_invokes_the_audit_function_only",
                      policy["LambdaInvokePolicy"] == {"FunctionName": {"Ref": "AuditFunction"}}, policy)
                continue
            if not isinstance(policy, dict) or "Statement" not in policy:
                # Only the AWS-managed read-only SecurityAudit policy is allowed by reference.
                check(f"{name}_managed_policy_is_security_audit", "SecurityAudit" in str(policy), policy)
                continue
            for condition, statement in statements(policy):
                if statement.get("Effect") != "Allow":
                    continue
                actions = as_list(statement["Action"])
                resources_ = as_list(statement["Resource"])
                writes = [a for a in actions if not a.split(":")[-1].startswith(READ_ONLY_PREFIXES)
                          and a not in ("kms:Decrypt", "kms:GenerateDataKey")]
                sid = statement.get("Sid", "statement")
                if any(a.startswith("sqs:") for a in actions):
                    # Lambda polls the re-check queue as the function: that queue, when enabled.
                    check(f"{name}_{sid}_consumes_the_recheck_queue_only", condition == "HasEventRecheck"
                          and resources_ == [{"GetAtt": "RecheckQueue.Arn"}], (condition, resources_))
                check(f"{name}_{sid}_no_wildcard_action", not any("*" in a for a in actions), actions)
                check(f"{name}_{sid}_no_wildcard_resource",
                      not writes or not any(r == "*" for r in resources_), resources_)
                if "s3:GetObject" in actions and condition == "IsOrganization":
                    # The organization summary reads every member's report: the function's
                    # own prefix, in an organization deployment only.
                    check(f"{name}_{sid}_reads_own_prefix_only",
                          resources_ == [{"Sub": "${ReportBucket.Arn}/${ReportPrefix}/*"}], resources_)
                elif "s3:GetObject" in actions and name == "AuditFunction":
                    # Reads of objects name exactly the keys the function reads.
                    check(f"{name}_{sid}_reads_named_objects_only",
                          not any("*" in str(r) for r in resources_), resources_)
                elif "s3:GetObject" in actions:
                    check(f"{name}_{sid}_reads_organization_run_only",
                          all("/organization/" in str(r) for r in resources_), resources_)
        if function["Type"] == "AWS::Serverless::Function":
            pulls = [e["Type"] for e in function["Properties"].get("Events", {}).values() if e["Type"] in SAM_PULL_EVENTS]
            check(f"{name}_no_sam_pull_events", not pulls, pulls)
            check(f"{name}_has_failure_destination",
                  "OnFailure" in function["Properties"].get("EventInvokeConfig", {}).get("DestinationConfig", {}))

    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
