"""Checks the organization state machine in infra/template.yaml against the function it drives:
every state reachable, the map's items and the summarize input exactly the fields the function
reads (the structs in src/function/organization.rs), the plan's answer carrying what the later
states read, retries with backoff on Lambda throttling and service errors, only error names the
function really returns, a tolerated failure share, and the map's results written to S3.

Prints "N passed, N failed"; exits non-zero on any failure.
Usage: python state_machine.py infra/template.yaml src/function   (`make test` runs it)
"""
import json
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


def translated_definition(template_path, parameters):
    """The definition as it is deployed: SAM's translation (intrinsics become
    DefinitionSubstitutions placeholders), then CloudFormation's text substitution into the
    JSON string. Returns the parsed definition, or the error text when it is not JSON."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # SAM's pseudo parameters; no call
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class NoManagedPolicies:
        def load(self):
            return {}

    with open(template_path) as handle:
        template = yaml_parse(handle.read())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":  # `sam build` uploads the code
            resource["Properties"]["CodeUri"] = "s3://artifacts/secaudit.zip"
    values = {"MemberRoleName": "SecAuditRole"}
    for name, value in parameters.items():
        if name in template["Parameters"]:
            values[name] = value
    for name, parameter in template["Parameters"].items():
        values.setdefault(name, parameter.get("Default", ""))
    output = transform(template, values, NoManagedPolicies())
    machine = next(r for r in output["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    text = "\n".join(machine["Properties"]["DefinitionString"]["Fn::Join"][1])
    for key, value in machine["Properties"].get("DefinitionSubstitutions", {}).items():
        # CloudFormation's JSON form of an intrinsic ({"Fn::Sub": ...}) as asl.resolve reads it.
        if isinstance(value, dict):
            value = {name.removeprefix("Fn::"): argument for name, argument in value.items()}
        text = text.replace("${" + key + "}", str(asl.resolve(value, parameters)))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        return f"{error}: {text}"


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
    plan_output = {k.removesuffix(".$") for k in plan["ResultSelector"]}
    read_from_plan = {p.split(".")[2] for p in plan["ResultSelector"].values()
                      if isinstance(p, str) and p.startswith("$.Payload.")}
    planned = asl.apply_template(plan["ResultSelector"], {"Payload": {f: f for f in plan_fields}}, {})
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
            value = asl.path_get(account_map[field], planned, {})
            check(f"{field}_is_a_number", isinstance(value, (int, float)) and not isinstance(value, bool), value)
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

    deployed = translated_definition(sys.argv[1], PARAMETERS)
    check("deployed_definition_is_json", isinstance(deployed, dict), deployed)
    if isinstance(deployed, dict):
        check("deployed_definition_is_the_checked_one", deployed == machine,
              "SAM's translation and CloudFormation's substitution change the definition")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
