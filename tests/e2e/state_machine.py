"""Checks the organization state machine in infra/template.yaml against the function it drives:
every state reachable, the map's items and the summarize input exactly the fields the function
reads (the structs in src/lambda/organization.rs), the plan's answer carrying what the later
states read, retries with backoff on Lambda throttling and service errors, only error names the
function really returns, a tolerated failure share, and the map's results written to S3.

Prints "N passed, N failed"; exits non-zero on any failure.
Usage: python state_machine.py infra/template.yaml src/lambda   (`make test` runs it)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tally import Tally  # noqa: E402
import asl  # noqa: E402

PARAMETERS = {
    "AuditFunction.Arn": "arn:aws:lambda:us-east-1:111111111111:function:secaudit",
    "ReportBucket": "secaudit-reports",
    "ReportPrefix": "reports",
    "MapMaxConcurrency": 40,
    "ToleratedFailurePercentage": 10,
}
LAMBDA_TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"}


def struct_fields(source, name):
    """The field names of `struct name { ... }` in Rust source (serde renames are not used)."""
    match = re.search(r"pub struct " + name + r" \{(.*?)\n\}", source, re.S)
    assert match, f"struct {name} not found"
    return set(re.findall(r"^\s*(?:pub )?(\w+):", match.group(1), re.M))


def main():
    template = asl.load_template(sys.argv[1])
    with open(os.path.join(sys.argv[2], "organization.rs")) as handle:
        organization = handle.read()
    with open(os.path.join(sys.argv[2], "mod.rs")) as handle:
        error_types = set(re.findall(r'=> "(\w+)",?\n', handle.read()))
    work_fields = struct_fields(organization, "AccountWork")
    plan_fields = struct_fields(organization, "Plan")
    summarize_fields = struct_fields(organization, "SummarizeRequest")
    machine = asl.definition(template, PARAMETERS)
    states = machine["States"]
    tally = Tally("state machine")
    check = tally.check

    check("every_state_reachable", asl.reachable(states, machine["StartAt"]) == set(states),
          set(states) - asl.reachable(states, machine["StartAt"]))
    check("error_types_found", {"AccountUnreachable", "DeliveryFailed", "InvalidRequest"} <= error_types, error_types)

    plan = states[machine["StartAt"]]
    check("plan_event", plan["Parameters"]["Payload"] == {"organization": "plan"}, plan["Parameters"])
    plan_output = {k[:-2] for k in plan["ResultSelector"]}
    read_from_plan = {p.split(".")[2] for p in plan["ResultSelector"].values() if p.startswith("$.Payload.")}
    check("plan_output_is_the_plan", read_from_plan == plan_fields, (read_from_plan, plan_fields))

    maps = [s for s in states.values() if s["Type"] == "Map"]
    check("one_map", len(maps) == 1, len(maps))
    account_map = maps[0]
    check("map_is_distributed", account_map["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED")
    reader = account_map.get("ItemReader", {}).get("Parameters", {})
    check("map_reads_the_planned_accounts",
          reader == {"Bucket.$": "$.bucket", "Key.$": "$.accounts_key"} and {"bucket", "accounts_key"} <= plan_output,
          reader)
    selector = account_map["ItemSelector"]
    check("map_items_are_account_work", {k[:-2] for k in selector} == work_fields, (selector, work_fields))
    check("map_item_run_id_from_plan", selector.get("run_id.$") == "$.run_id")
    check("map_tolerates_failures",
          "ToleratedFailurePercentage" in account_map or "ToleratedFailurePercentagePath" in account_map)
    check("map_limits_concurrency", "MaxConcurrency" in account_map or "MaxConcurrencyPath" in account_map)
    for field in ("MaxConcurrencyPath", "ToleratedFailurePercentagePath"):
        if field in account_map:
            settings = plan["ResultSelector"]["settings.$"]
            value = asl.path_get(account_map[field], {"settings": asl.apply_template({"s.$": settings}, {}, {})["s"]}, {})
            check(f"{field}_is_a_number", isinstance(value, (int, float)), value)
    check("map_results_to_s3", account_map.get("ResultWriter", {}).get("Resource") == "arn:aws:states:::s3:putObject")
    check("map_failure_still_summarized",
          any(c["ErrorEquals"] == ["States.ALL"] and c["Next"] == account_map["Next"] and c["ResultPath"] == account_map["ResultPath"]
              for c in account_map.get("Catch", [])))

    inner = account_map["ItemProcessor"]["States"]
    worker = inner[account_map["ItemProcessor"]["StartAt"]]
    check("worker_gets_the_item", worker["Parameters"].get("Payload.$") == "$", worker["Parameters"])
    check("worker_answer_is_the_payload", worker.get("OutputPath") == "$.Payload")

    summarize = states[account_map["Next"]]
    payload = summarize["Parameters"]["Payload"]
    check("summarize_event", payload.get("organization") == "summarize")
    check("summarize_input_is_the_request", {k.removesuffix(".$") for k in payload} == summarize_fields,
          ({k.removesuffix(".$") for k in payload}, summarize_fields))
    check("summarize_reads_the_map_outcome", payload.get("map.$") == account_map["ResultPath"])
    from_plan = {k[:-2] for k, v in payload.items() if k.endswith(".$") and v.startswith("$.") and v != "$.map"}
    check("summarize_plan_fields_exist", from_plan <= plan_output, from_plan - plan_output)

    for name, state in list(states.items()) + list(inner.items()):
        if state.get("Resource") != "arn:aws:states:::lambda:invoke":
            continue
        check(f"{name}_invokes_the_function", state["Parameters"]["FunctionName"] == PARAMETERS["AuditFunction.Arn"])
        retries = state.get("Retry", [])
        retried = {e for r in retries for e in r["ErrorEquals"]}
        check(f"{name}_retries_lambda_throttling", LAMBDA_TRANSIENT <= retried, retried)
        check(f"{name}_backs_off", all(r.get("BackoffRate", 1) > 1 and r.get("MaxAttempts", 3) > 0 for r in retries))
        named = {e for e in retried if not e.startswith(("Lambda.", "States."))}
        check(f"{name}_retries_only_real_error_types", named <= error_types, named - error_types)
        check(f"{name}_does_not_retry_what_cannot_heal",
              not retried & {"InvalidRequest", "InvalidConfiguration", "AccountUnreachable"}, retried)

    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
