"""Holds the event re-check path of infra/template.yaml and infra/member-role.yaml to the
binary: every EventBridge rule on CloudTrail's API calls matches exactly the pattern
`secaudit events --format eventbridge` prints (the checks' triggers), so no trigger is missed
and no event wakes the function for nothing. Also: the rules' queue has a dead-letter queue,
the function reports partial batch failures and batches, and the auditor's bus admits the
organization only.

Prints "N passed, N failed"; exits non-zero on any failure. With --write, rewrites the
templates' generated `EventPattern:` lines from PATTERN_FILE instead (`make generate`).
Usage: python template_events.py TEMPLATE MEMBER_TEMPLATE PATTERN_FILE [--write]
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tally import Tally  # noqa: E402
from asl import load_template  # noqa: E402
from template_policy import as_list  # noqa: E402

DETAIL_TYPE = "AWS API Call via CloudTrail"
# The default quota of an event pattern's size, in characters (adjustable):
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
PATTERN_QUOTA = 2048
# The generated lines: one JSON flow mapping after `EventPattern:`.
PATTERN_LINE = re.compile(r"^(\s*EventPattern:\s*)(\{.*\})\s*$")


def compact(pattern):
    return json.dumps(pattern, separators=(",", ":"), sort_keys=True)


def is_cloudtrail(pattern):
    return isinstance(pattern, dict) and pattern.get("detail-type") == [DETAIL_TYPE]


def canon(value):
    """A list item as comparable text, lists within sorted (their order means nothing)."""
    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return sorted((norm(x) for x in v), key=canon)
        return v
    return value if isinstance(value, str) else json.dumps(norm(value), sort_keys=True)


def first_difference(want, got, path="EventPattern"):
    """None when equal as JSON (list order ignored), else where and how they differ."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in got:
                return f"{path}.{key} missing"
            if key not in want:
                return f"{path}.{key} extra"
            difference = first_difference(want[key], got[key], f"{path}.{key}")
            if difference:
                return difference
        return None
    if isinstance(want, list) and isinstance(got, list):
        wanted, found = {canon(x) for x in want}, {canon(x) for x in got}
        parts = [f"{what} {sorted(names)}" for what, names in
                 (("missing", wanted - found), ("extra", found - wanted)) if names]
        return f"{path}: {', '.join(parts)}" if parts else None
    return None if want == got else f"{path}: {got!r} instead of {want!r}"


def attribute_of(value):
    """The resource of `!GetAtt Name.Arn`, else None."""
    return value["GetAtt"].split(".")[0] if isinstance(value, dict) and "GetAtt" in value else None


def cloudtrail_rules(resources):
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Events::Rule":
            pattern = resource["Properties"].get("EventPattern")
            pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
            if is_cloudtrail(pattern):
                yield name, resource["Properties"], pattern


def generated_line(line):
    """The parts of a generated `EventPattern: {...}` line on CloudTrail's API calls, else None."""
    match = PATTERN_LINE.match(line)
    try:
        return match if match and is_cloudtrail(json.loads(match.group(2))) else None
    except ValueError:  # a YAML flow mapping that is not JSON: not a generated line
        return None


def write(paths, pattern):
    """Rewrites the generated lines in place; a template without one is an error (and then
    neither template is written)."""
    rewritten = {}
    for path in paths:
        with open(path) as handle:
            lines = handle.readlines()
        matches = {i: m for i, m in ((i, generated_line(line)) for i, line in enumerate(lines)) if m}
        if not matches:
            print(f"{path}: no single-line CloudTrail EventPattern to rewrite")
            return 1
        for i, match in matches.items():
            lines[i] = f"{match.group(1)}{compact(pattern)}\n"
        rewritten[path] = (lines, len(matches))
    for path, (lines, count) in rewritten.items():
        with open(path, "w") as handle:
            handle.writelines(lines)
        print(f"{path}: {count} EventPattern line(s) rewritten")
    return 0


def main():
    args = [a for a in sys.argv[1:] if a != "--write"]
    template_path, member_path, pattern_path = args
    with open(pattern_path) as handle:
        pattern = json.load(handle)
    if "--write" in sys.argv:
        return write((template_path, member_path), pattern)

    tally = Tally("template events")
    check = tally.check
    check("pattern_is_cloudtrail_api_calls", is_cloudtrail(pattern), pattern.get("detail-type"))
    check("pattern_within_size_quota", len(compact(pattern)) <= PATTERN_QUOTA, f"{len(compact(pattern))} characters")

    templates = {path: load_template(path)["Resources"] for path in (template_path, member_path)}
    for path, resources in templates.items():
        label = os.path.basename(path)
        rules = list(cloudtrail_rules(resources))
        check(f"{label}_has_a_cloudtrail_rule", rules, f"{path}: no AWS::Events::Rule on {DETAIL_TYPE!r}")
        queues = set()
        for rule, props, found in rules:
            check(f"{label}_{rule}_pattern_is_generated", first_difference(pattern, found) is None,
                  f"{path}: {rule}: {first_difference(pattern, found)} (`make events-pattern` rewrites it)")
            queues.update(q for q in (attribute_of(t["Arn"]) for t in props["Targets"])
                          if resources.get(q, {}).get("Type") == "AWS::SQS::Queue")
        # Each queue a rule feeds hands what keeps failing to a dead-letter queue.
        for queue in sorted(queues):
            redrive = resources[queue]["Properties"].get("RedrivePolicy", {})
            dlq = attribute_of(redrive.get("deadLetterTargetArn"))
            check(f"{label}_{queue}_has_a_dead_letter_queue",
                  resources.get(dlq, {}).get("Type") == "AWS::SQS::Queue", redrive)

    resources = templates[template_path]
    label = os.path.basename(template_path)
    mappings = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::Lambda::EventSourceMapping"}
    mappings.update({f"{n}.{e}": event["Properties"] for n, r in resources.items()
                     if r["Type"] == "AWS::Serverless::Function"
                     for e, event in r["Properties"].get("Events", {}).items() if event["Type"] == "SQS"})
    check(f"{label}_has_an_event_source_mapping", mappings)
    for name, props in mappings.items():
        check(f"{label}_{name}_reports_batch_item_failures",
              props.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], props.get("FunctionResponseTypes"))
        window = props.get("MaximumBatchingWindowInSeconds")
        check(f"{label}_{name}_batches", isinstance(window, int) and window > 0, window)

    policies = [(n, r["Properties"]) for n, r in resources.items() if r["Type"] == "AWS::Events::EventBusPolicy"]
    check(f"{label}_has_an_event_bus_policy", policies)
    for name, props in policies:
        # The statement form, or the older top-level Principal / Condition properties.
        statements = as_list(props.get("Statement", props))
        check(f"{name}_admits_the_organization", all(
            "aws:PrincipalOrgID" in str(s.get("Condition")) for s in statements), statements)
        check(f"{name}_no_unconditioned_principal_star", not any(
            s.get("Principal") in ("*", {"AWS": "*"}) and not s.get("Condition") for s in statements), statements)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
