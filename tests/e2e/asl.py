"""The organization state machine as written in infra/template.yaml, and the little of Amazon
States Language the tests need to pass payloads between its states the way Step Functions does:
JSONPath reference paths (`$.a.b`, `$$.Execution.Name`, `$$.Map.Item.Value.x`), `.$` fields in
Parameters / ItemSelector / ResultSelector, States.StringToJson, ResultPath and OutputPath.

Used by state_machine.py (the wiring check) and lambda_local.py (the end-to-end run).
"""
import json
import re

import yaml


class CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt, ... as {"Fn": value} without resolving them."""


def _intrinsic(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=CloudFormationLoader)


def resolve(value, parameters):
    """Resolves the intrinsics a definition uses (!Sub, !Ref, !GetAtt) against `parameters`:
    template parameters and resource attributes by name, e.g. {"AuditFunction.Arn": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(parameters[m.group(1)]), value["Sub"])
        if set(value) == {"Ref"}:
            return parameters[value["Ref"]]
        if set(value) == {"GetAtt"}:
            target = value["GetAtt"]
            return parameters[target if isinstance(target, str) else ".".join(target)]
        return {k: resolve(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters) for v in value]
    return value


def definition(template, parameters):
    """The organization state machine's definition, intrinsics resolved."""
    machines = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::StateMachine"]
    assert len(machines) == 1, f"expected one state machine, found {len(machines)}"
    return resolve(machines[0]["Properties"]["Definition"], parameters)


def path_get(path, data, context):
    """A JSONPath reference path: `$`, `$.a.b`, `$$.x.y`."""
    if path.startswith("$$"):
        node, rest = context, path[2:]
    elif path.startswith("$"):
        node, rest = data, path[1:]
    else:
        raise ValueError(f"not a path: {path}")
    for part in filter(None, rest.split(".")):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{path}: no field {part!r} (States.Runtime)")
        node = node[part]
    return node


def path_set(path, data, value):
    """ResultPath: `null` drops the result, `$` replaces the input, `$.a.b` sets a field."""
    if path is None:
        return data
    if path == "$":
        return value
    data = json.loads(json.dumps(data))
    node = data
    parts = path[2:].split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return data


def _intrinsic_function(expression, data, context):
    match = re.fullmatch(r"States\.StringToJson\('(.*)'\)", expression, re.S)
    if match:
        return json.loads(match.group(1).replace("\\'", "'"))
    if expression.startswith("States."):
        raise NotImplementedError(expression)
    return path_get(expression, data, context)


def apply_template(payload_template, data, context):
    """Parameters / ItemSelector / ResultSelector: `key.$` fields are paths or intrinsics."""
    if isinstance(payload_template, dict):
        out = {}
        for key, value in payload_template.items():
            if key.endswith(".$"):
                out[key[:-2]] = _intrinsic_function(value, data, context)
            else:
                out[key] = apply_template(value, data, context)
        return out
    if isinstance(payload_template, list):
        return [apply_template(v, data, context) for v in payload_template]
    return payload_template


def reachable(states, start):
    """The names of the states reachable from `start` (Next, Default, Choices, Catch)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [c.get("Next") for c in state.get("Catch", [])]
        todo.extend(t for t in targets if t)
    return seen
