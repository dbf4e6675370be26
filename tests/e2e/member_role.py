"""Holds infra/member-role.yaml to least privilege: one role, trusted by exactly the auditing
principal (with the external id when set), with SecurityAudit and no other permission.

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
    check("one_resource_a_role", [r["Type"] for r in resources.values()] == ["AWS::IAM::Role"])
    role = next(iter(resources.values()))["Properties"]
    check("only_security_audit", [str(p) for p in role["ManagedPolicyArns"]] == [str({"Sub": "arn:${AWS::Partition}:iam::aws:policy/SecurityAudit"})])
    check("no_inline_policies", "Policies" not in role)
    statements = as_list(role["AssumeRolePolicyDocument"]["Statement"])
    check("one_trust_statement", len(statements) == 1)
    trust = statements[0]
    check("trusted_by_the_auditor_only", trust["Principal"] == {"AWS": {"Ref": "AuditorPrincipalArn"}}, trust["Principal"])
    check("assume_role_only", trust["Action"] == "sts:AssumeRole")
    check("external_id_when_set", "ExternalId" in str(trust.get("Condition")))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
