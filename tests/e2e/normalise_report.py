"""Prints a report with run ids, times and the emulator's random ids replaced, so that two
reports of the same account diff cleanly: `python3 tests/e2e/normalise_report.py OLD.json`."""
import json, re, sys
RANDOM = re.compile(r"\b(i|vol|sg|snap|ami|vpc|fl|subnet|eni|igw|rtb|acl)-[0-9a-f]{8,17}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[A-Z0-9]{21}\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if k not in ("run_id", "started_at", "finished_at", "duration_ms", "first_seen")}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        return RANDOM.sub(lambda m: (m.group(1) or "x") + "-*", v)
    return v
r = norm(json.load(open(sys.argv[1])))
r["results"] = sorted(r["results"], key=lambda x: json.dumps(x, sort_keys=True))
r["errors"] = sorted(r["errors"], key=lambda x: json.dumps(x, sort_keys=True))
print(json.dumps(r, indent=1, sort_keys=True))
