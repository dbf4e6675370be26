"""Validates OCSF JSON Lines (stdin) against py-ocsf-models' Detection Finding (class 2004).

Prints "N findings valid" or the first invalid line's problems; exits non-zero on any. An
exposure's related events must name findings of the same output (its steps' results).
"""
import json
import sys

from py_ocsf_models.events.findings.detection_finding import DetectionFinding


def main() -> int:
    count = 0
    uids = set()
    related = []
    # Read everything first: the writer must never see a closed pipe.
    lines = sys.stdin.read().splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        finding = json.loads(line)
        try:
            model = DetectionFinding(**finding)
        except Exception as error:  # noqa: BLE001 - pydantic's ValidationError, reported as is
            print(f"line {number}: {error}")
            return 1
        if int(model.class_uid) != 2004 or model.finding_info.uid != finding["finding_info"]["uid"]:
            print(f"line {number}: not a Detection Finding with its uid")
            return 1
        if finding["metadata"].get("uid") != finding["finding_info"]["uid"]:
            print(f"line {number}: metadata.uid is not the finding's uid (related events name it)")
            return 1
        uids.add(finding["metadata"]["uid"])
        related += [(number, event.uid) for event in model.finding_info.related_events or []]
        count += 1
    for number, uid in related:
        if uid not in uids:
            print(f"line {number}: related event {uid} is no finding of this output")
            return 1
    print(f"{count} findings valid")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
