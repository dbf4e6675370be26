"""Holds infra/member-role.yaml to least privilege: the audit role, trusted by exactly the
auditing principal (with the external id when set), with SecurityAudit and only the Macie reads it
lacks; and, only when AuditorEventBusArn is set, a rule forwarding events to the auditor's bus through
a role that may put events on that bus and nothing else.

Prints "N passed, N failed"; exits non-zero on any failure.
Usage: python member_role.py infra/member-role.yaml   (`make test` runs it)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tally import Tally  # noqa: E402
from asl import load_template  # noqa: E402
from template_policy import as_list  # noqa: E402


def main() -> int:
    template = load_template(sys.argv[1])
    tally = Tally("member role")
    check = tally.check

    resources = template["Resources"]
    kinds = {name: (r["Type"], r.get("Condition")) for name, r in resources.items()}
    check("the_audit_role_and_the_optional_forwarding", kinds == {
        "AuditRole": ("AWS::IAM::Role", None),
        "ForwardEventsRole": ("AWS::IAM::Role", "ForwardsEvents"),
        "ForwardEventsRule": ("AWS::Events::Rule", "ForwardsEvents"),
    }, kinds)
    role = resources["AuditRole"]["Properties"]
    check("only_security_audit", [str(p) for p in role["ManagedPolicyArns"]] == [str({"Sub": "arn:${AWS::Partition}:iam::aws:policy/SecurityAudit"})])
    # Beyond SecurityAudit, only the reads it lacks (Macie's settings; docs/permissions.md).
    inline = [s for p in role.get("Policies", []) for s in as_list(p["PolicyDocument"]["Statement"])]
    check("inline_policy_reads_macie_settings_only", [(s["Effect"], sorted(s["Action"])) for s in inline] == [
        ("Allow", ["macie2:GetAdministratorAccount", "macie2:GetAutomatedDiscoveryConfiguration", "macie2:GetMacieSession"])], inline)
    statements = as_list(role["AssumeRolePolicyDocument"]["Statement"])
    check("one_trust_statement", len(statements) == 1)
    trust = statements[0]
    check("trusted_by_the_auditor_only", trust["Principal"] == {"AWS": {"Ref": "AuditorPrincipalArn"}}, trust["Principal"])
    check("assume_role_only", trust["Action"] == "sts:AssumeRole")
    check("external_id_when_set", "ExternalId" in str(trust.get("Condition")))

    # The forwarding role: assumed by EventBridge only, PutEvents on the auditor's bus only.
    forward = resources["ForwardEventsRole"]["Properties"]
    check("forwarding_role_no_managed_policies", "ManagedPolicyArns" not in forward)
    trust = as_list(forward["AssumeRolePolicyDocument"]["Statement"])
    check("forwarding_role_trusted_by_eventbridge_only", [(s["Principal"], s["Action"]) for s in trust]
          == [({"Service": "events.amazonaws.com"}, "sts:AssumeRole")], trust)
    granted = [s for p in forward["Policies"] for s in as_list(p["PolicyDocument"]["Statement"])]
    check("forwarding_role_puts_events_on_the_auditor_bus_only", [
        (s["Effect"], s["Action"], s["Resource"]) for s in granted
    ] == [("Allow", "events:PutEvents", {"Ref": "AuditorEventBusArn"})], granted)
    targets = resources["ForwardEventsRule"]["Properties"]["Targets"]
    check("rule_targets_the_auditor_bus_with_the_role", [(t["Arn"], t.get("RoleArn")) for t in targets]
          == [({"Ref": "AuditorEventBusArn"}, {"GetAtt": "ForwardEventsRole.Arn"})], targets)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
