"""End to end: secaudit-lambda under `cargo lambda watch` (the local Lambda Runtime API),
invoked with `cargo lambda invoke`, against a moto server on 127.0.0.1.

A scheduled event must write the report to S3 at both keys and publish the alert, which is
received through an SQS queue subscribed to the SNS topic; an on-demand request gets its
response; an invalid payload gets an error; an SQS batch of CloudTrail events gets the
partial-batch response. Then an organization night: the state machine's
definition is read from infra/template.yaml and walked state by state (asl.py passes the
payloads the way Step Functions does, the Distributed Map's items and results go through S3
as ItemReader and ResultWriter put them), each Lambda state an invocation of the function.
Prints "N passed, N failed" and exits non-zero on any failure. Everything stays on loopback.

Usage: python lambda_local.py CARGO_LAMBDA [--show]   (from the repository root; `make test`
runs it, `make invoke-local` runs it with --show to print what the function answered)
"""
import json
import logging
import os
import socket
import subprocess
import sys
import time

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

import boto3  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import asl  # noqa: E402
import moto_server  # noqa: E402
from tally import Tally  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

ACCOUNT = "123456789012"
BUCKET = "secaudit-reports"
REGION = "us-east-1"
MEMBER_ROLE = "SecAuditRole"


class StateFailed(Exception):
    def __init__(self, error, cause):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class StateMachineRun:
    """Runs a definition the way Step Functions would, with `invoke(payload)` as the function
    (Retry is left to the real service: here the first failure counts)."""

    def __init__(self, s3, invoke, execution):
        self.s3, self.invoke, self.execution = s3, invoke, execution
        self.map_runs = 0

    def run(self, machine, data, context):
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            kind = state["Type"]
            if kind == "Succeed":
                return data
            if kind == "Fail":
                raise StateFailed(state["Error"], state.get("Cause", ""))
            if kind == "Choice":
                name = next((c["Next"] for c in state["Choices"] if self.matches(c, data)), state["Default"])
                continue
            try:
                result = self.task(state, data, context) if kind == "Task" else self.map(state, data, context)
            except StateFailed as failure:
                catcher = next((c for c in state.get("Catch", [])
                                if "States.ALL" in c["ErrorEquals"] or failure.error in c["ErrorEquals"]), None)
                if catcher is None:
                    raise
                data = asl.path_set(catcher.get("ResultPath", "$"), data, {"Error": failure.error, "Cause": failure.cause})
                name = catcher["Next"]
                continue
            if "ResultSelector" in state:
                result = asl.apply_template(state["ResultSelector"], result, context)
            data = asl.path_set(state.get("ResultPath", "$"), data, result)
            data = asl.path_get(state.get("OutputPath", "$"), data, context)
            if state.get("End"):
                return data
            name = state["Next"]

    @staticmethod
    def matches(choice, data):
        try:
            asl.path_get(choice["Variable"], data, {})
            present = True
        except KeyError:
            present = False
        return present == choice["IsPresent"]

    def task(self, state, data, context):
        assert state["Resource"] == "arn:aws:states:::lambda:invoke", state["Resource"]
        parameters = asl.apply_template(state["Parameters"], data, context)
        result = self.invoke(data=json.dumps(parameters["Payload"]))
        if result.returncode != 0:
            output = result.stdout + result.stderr
            error = next((t for t in ("AccountUnreachable", "AuditFailed", "DeliveryFailed", "InvalidRequest",
                                      "InvalidConfiguration", "OrganizationUnavailable", "ResultsUnreadable")
                          if t in output), "Lambda.Unknown")
            raise StateFailed(error, json.dumps({"errorType": error, "errorMessage": output.strip()[-500:]}))
        return {"StatusCode": 200, "Payload": json.loads(result.stdout)}

    def map(self, state, data, context):
        reader = asl.apply_template(state["ItemReader"]["Parameters"], data, context)
        items = json.loads(self.s3.get_object(Bucket=reader["Bucket"], Key=reader["Key"])["Body"].read())
        children = {"SUCCEEDED": [], "FAILED": []}
        for index, item in enumerate(items):
            item_context = dict(context, Map={"Item": {"Index": index, "Value": item}})
            child_input = asl.apply_template(state["ItemSelector"], data, item_context)
            child = {"ExecutionArn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:e2e/{index}",
                     "Input": json.dumps(child_input), "Name": str(index)}
            try:
                output = self.run(state["ItemProcessor"], child_input, {"Execution": {"Name": str(index)}})
                children["SUCCEEDED"].append(dict(child, Status="SUCCEEDED", Output=json.dumps(output)))
            except StateFailed as failure:
                children["FAILED"].append(dict(child, Status="FAILED", Error=failure.error, Cause=failure.cause))
        self.map_runs += 1
        writer = asl.apply_template(state["ResultWriter"]["Parameters"], data, context)
        run_prefix = f"{writer['Prefix']}/map-run-{self.execution}-{self.map_runs}"
        manifest = {"DestinationBucket": writer["Bucket"], "MapRunArn": f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:e2e",
                    "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": []}}
        for status, entries in children.items():
            if entries:
                key = f"{run_prefix}/{status}_0.json"
                body = json.dumps(entries).encode()
                self.s3.put_object(Bucket=writer["Bucket"], Key=key, Body=body)
                manifest["ResultFiles"][status].append({"Key": key, "Size": len(body)})
        manifest_key = f"{run_prefix}/manifest.json"
        self.s3.put_object(Bucket=writer["Bucket"], Key=manifest_key, Body=json.dumps(manifest).encode())
        tolerated = asl.path_get(state["ToleratedFailurePercentagePath"], data, context)
        if items and 100 * len(children["FAILED"]) / len(items) > tolerated:
            raise StateFailed("States.ExceedToleratedFailureThreshold", "too many failed items")
        return {"MapRunArn": manifest["MapRunArn"], "ResultWriterDetails": {"Bucket": writer["Bucket"], "Key": manifest_key}}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def organization_night(checks, client, s3, sqs, topic, invoke):
    """An organization of this account and three members: the state machine from the template,
    run through plan -> one worker per account -> summarize."""
    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    members = {}
    for name in ("web", "data", "sandbox"):
        status = organizations.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        members[name] = status["AccountId"]
    sts = client("sts")

    def in_account(account, service, **kw):
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{MEMBER_ROLE}",
                                      RoleSessionName="seed")["Credentials"]
        return boto3.client(service, endpoint_url=s3.meta.endpoint_url, region_name=REGION,
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"], **kw)

    web_ec2 = in_account(members["web"], "ec2")
    web_group = web_ec2.create_security_group(GroupName="ssh-open", Description="ssh")["GroupId"]
    web_ec2.authorize_security_group_ingress(
        GroupId=web_group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                           "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    in_account(members["data"], "s3", config=Config(s3={"addressing_style": "path"})).create_bucket(Bucket="data-open")
    # Only the digest should arrive here: the workers do not alert.
    queue = sqs.create_queue(QueueName="secaudit-digest")["QueueUrl"]
    client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:secaudit-digest")

    parameters = {"AuditFunction.Arn": "secaudit", "ReportBucket": BUCKET, "ReportPrefix": "reports",
                  "MapMaxConcurrency": 2, "ToleratedFailurePercentage": 10}
    machine = asl.definition(asl.load_template("infra/template.yaml"), parameters)
    execution = "nightly-e2e"
    run = StateMachineRun(s3, invoke, execution)
    outcome = {}
    try:
        outcome["output"] = run.run(machine, {}, {"Execution": {"Name": execution}})
    except StateFailed as failure:
        outcome["failure"] = failure

    def the_night_succeeds_for_every_account():
        assert "failure" not in outcome, outcome
        response = outcome["output"]["summary"]["response"]
        assert response["accounts"] == 4 and response["unaudited"] == 0, response
        assert response["summary_uri"] == f"s3://{BUCKET}/reports/organization/" + \
            f"{outcome['output']['started_at'][:10].replace('-', '/')}/{execution}.json", response

    def the_summary_agrees_with_each_accounts_report():
        latest = json.loads(s3.get_object(Bucket=BUCKET, Key="reports/organization/latest.json")["Body"].read())
        accounts = {a["account_id"]: a for a in latest["accounts"]}
        assert set(accounts) == {ACCOUNT, *members.values()}, accounts.keys()
        evaluated = 0
        for account_id, entry in accounts.items():
            key = entry["report_uri"].removeprefix(f"s3://{BUCKET}/")
            assert key.startswith(f"reports/{account_id}/"), entry
            report = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
            assert report["account_id"] == account_id and entry["complete"] is True, (account_id, report["errors"])
            assert entry["summary"] == report["summary"] and entry["score"] == report["score"]["overall"], entry
            evaluated += report["summary"]["evaluated"]
            failed = {r["resource_id"] for r in report["results"] if r["status"] == "fail"}
            assert (web_group in failed) == (account_id == members["web"]), (account_id, failed)
            assert ("data-open" in failed) == (account_id == members["data"]), (account_id, failed)
        assert latest["summary"]["evaluated"] == evaluated, latest["summary"]
        assert [a["name"] for a in latest["accounts"] if a["account_id"] == members["web"]] == ["web"]

    def one_digest_groups_the_new_criticals_by_account():
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
        assert len(messages) == 1, [json.loads(m["Body"])["Subject"] for m in messages]
        envelope = json.loads(messages[0]["Body"])
        assert envelope["MessageAttributes"]["kind"]["Value"] == "organization_digest", envelope["MessageAttributes"]
        digest = json.loads(envelope["Message"])
        by_account = {a["account_id"]: a for a in digest["accounts"]}
        assert web_group in {f["resource_id"] for f in by_account[members["web"]]["findings"]}, by_account.keys()
        assert all(f["severity"] == "critical" for a in digest["accounts"] for f in a["findings"]), digest
        assert digest["unaudited"] == [], digest["unaudited"]

    def a_second_night_compares_each_account_with_its_own_baseline():
        second = StateMachineRun(s3, invoke, "nightly-e2e-2").run(machine, {}, {"Execution": {"Name": "nightly-e2e-2"}})
        summary_key = second["summary"]["response"]["summary_uri"].removeprefix(f"s3://{BUCKET}/")
        summary = json.loads(s3.get_object(Bucket=BUCKET, Key=summary_key)["Body"].read())
        assert summary["changes"] is not None and summary["changes"]["new"] == 0, summary["changes"]
        assert summary["changes"]["persisting"] > 0, summary["changes"]
        assert second["summary"]["response"]["alerted_findings"] == 0, second["summary"]

    checks.run("organization_night_succeeds_for_every_account", the_night_succeeds_for_every_account)
    checks.run("organization_summary_agrees_with_each_accounts_report", the_summary_agrees_with_each_accounts_report)
    checks.run("organization_digest_groups_new_criticals_by_account", one_digest_groups_the_new_criticals_by_account)
    checks.run("organization_second_night_compares_per_account", a_second_night_compares_each_account_with_its_own_baseline)


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log
    cargo_lambda = sys.argv[1]
    show = "--show" in sys.argv[2:]
    moto_port = free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    moto_server.behave_as_aws()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    server.start()
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
    client = lambda name, **kw: boto3.client(name, endpoint_url=endpoint, **credentials, **kw)  # noqa: E731
    s3 = client("s3", config=Config(s3={"addressing_style": "path"}))
    sns, sqs, ec2 = client("sns"), client("sqs"), client("ec2")

    # The sinks, and an account with critical findings: a bucket without any public access block
    # whose policy lets anyone read it, and SSH open to the world.
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket="acme-open-bucket")
    s3.put_bucket_policy(
        Bucket="acme-open-bucket",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::acme-open-bucket/*",
                    }
                ],
            }
        ),
    )
    group = ec2.create_security_group(GroupName="ssh-open", Description="ssh from anywhere")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    topic = sns.create_topic(Name="secaudit-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="secaudit-alerts")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:secaudit-alerts")

    invoke_port = free_port()
    # The function's own logs (and cargo's) go here, for when a check fails.
    log_dir = os.environ.get("CARGO_TARGET_DIR", "target")
    os.makedirs(log_dir, exist_ok=True)
    watch_log = open(os.path.join(log_dir, "lambda-watch.log"), "w")
    environment = dict(
        os.environ,
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        SECAUDIT_REPORT_BUCKET=BUCKET,
        SECAUDIT_ALERT_TOPIC_ARN=topic,
        SECAUDIT_REGIONS=REGION,
        SECAUDIT_MEMBER_ROLE_NAME=MEMBER_ROLE,
    )
    # cargo lambda serves the Runtime API only; the function is the debug binary `make test`
    # already built. (Letting `watch` build it would be `cargo run --bin secaudit-lambda`,
    # without the dev-dependencies' features: a second build of every SDK crate.)
    watch = subprocess.Popen(
        [cargo_lambda, "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1",
         "--invoke-port", str(invoke_port), "--timeout", "300"],
        env=environment,
        stdout=watch_log,
        stderr=subprocess.STDOUT,
    )
    function_binary = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "secaudit-lambda")
    function = None

    def invoke(data_file=None, data=None):
        command = [cargo_lambda, "lambda", "invoke", "--invoke-address", "127.0.0.1",
                   "--invoke-port", str(invoke_port), "--output-format", "json"]
        command += ["--data-file", data_file] if data_file else ["--data-ascii", data]
        if function is not None and function.poll() is not None:
            raise RuntimeError(f"secaudit-lambda exited with {function.returncode}; see lambda-watch.log")
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
        if show:
            print(f"$ cargo lambda invoke {data_file or data}\n{result.stdout}{result.stderr}", flush=True)
        return result

    checks = Tally("lambda e2e")
    try:
        wait_for_port(invoke_port, 120)
        function = subprocess.Popen(
            [function_binary],
            env=dict(
                environment,
                AWS_LAMBDA_RUNTIME_API=f"http://127.0.0.1:{invoke_port}/.rt",
                AWS_LAMBDA_FUNCTION_NAME="_",
                AWS_LAMBDA_FUNCTION_VERSION="1",
                AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
            ),
            stdout=watch_log,
            stderr=subprocess.STDOUT,
        )
        scheduled = invoke(data_file="tests/fixtures/scheduled-event.json")

        def scheduled_event_writes_report_and_alerts():
            assert scheduled.returncode == 0, scheduled.stderr
            response = json.loads(scheduled.stdout)
            assert response["trigger"] == "schedule", response
            assert response["complete"] is True, response
            assert response["summary"]["failed_by_severity"]["critical"] >= 2, response
            dated = response["report_uri"].removeprefix(f"s3://{BUCKET}/")
            assert dated.startswith(f"reports/{ACCOUNT}/") and dated.endswith(f"/{response['run_id']}.json"), dated
            for key in (dated, f"reports/{ACCOUNT}/latest.json"):
                stored = s3.get_object(Bucket=BUCKET, Key=key)
                assert stored["ContentType"] == "application/json", stored["ContentType"]
                report = json.loads(stored["Body"].read())
                assert report["run_id"] == response["run_id"] and report["schema_version"] == 1

            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
            assert len(messages) == 1, messages
            envelope = json.loads(messages[0]["Body"])
            attributes = envelope["MessageAttributes"]
            assert attributes["severity"]["Value"] == "critical", attributes
            assert attributes["account_id"]["Value"] == ACCOUNT, attributes
            assert int(attributes["finding_count"]["Value"]) == response["alerted_findings"], attributes
            alert = json.loads(envelope["Message"])
            assert alert["report_uri"] == response["report_uri"], alert
            resources = {finding["resource_id"] for finding in alert["findings"]}
            assert {"acme-open-bucket", group} <= resources, resources

        def on_demand_request_gets_its_response():
            result = invoke(data=json.dumps({"services": ["sg"], "regions": [REGION]}))
            assert result.returncode == 0, result.stderr
            response = json.loads(result.stdout)
            assert response["trigger"] == "on_demand", response
            assert response["complete"] is True, response
            assert response["summary"]["evaluated"] > 0, response
            assert response["report_uri"].startswith(f"s3://{BUCKET}/reports/{ACCOUNT}/"), response

        def invalid_payload_is_rejected():
            result = invoke(data=json.dumps({"services": ["ec2"], "regoins": ["eu-west-1"]}))
            output = result.stdout + result.stderr
            assert result.returncode != 0, output
            assert "unknown field `regoins`" in output, output
            assert "InvalidRequest" in output, output

        def sqs_batch_gets_the_partial_batch_response():
            # The event source mapping's shape (ReportBatchItemFailures): only the message that
            # is no event comes back, as AWS's SQS poller reads it.
            detail = {
                "eventSource": "ec2.amazonaws.com", "eventName": "AuthorizeSecurityGroupIngress",
                "awsRegion": REGION, "eventTime": "2026-12-02T09:00:00Z",
                "recipientAccountId": ACCOUNT, "requestParameters": {"groupId": group},
                "userIdentity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/e2e"},
            }
            envelope = {"detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2", "detail": detail}
            batch = {"Records": [
                {"messageId": "good", "eventSource": "aws:sqs", "body": json.dumps(envelope)},
                {"messageId": "bad", "eventSource": "aws:sqs", "body": "not an event"},
            ]}
            result = invoke(data=json.dumps(batch))
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}, result.stdout
            # This deployment is an organization's, and the organization does not exist yet: the
            # event's account is no member, so it is dropped, not re-read (the re-read itself is
            # tested in tests/it/event_recheck.rs).
            latest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"reports/{ACCOUNT}/latest.json")["Body"].read())
            assert "rechecks" not in latest, latest["rechecks"]

        checks.run("scheduled_event_writes_report_and_alerts", scheduled_event_writes_report_and_alerts)
        checks.run("on_demand_request_gets_its_response", on_demand_request_gets_its_response)
        checks.run("invalid_payload_is_rejected", invalid_payload_is_rejected)
        checks.run("sqs_batch_gets_the_partial_batch_response", sqs_batch_gets_the_partial_batch_response)
        organization_night(checks, client, s3, sqs, topic, invoke)
    except Exception:  # noqa: BLE001
        checks.broken()
    finally:
        if function is not None:
            function.terminate()
            function.wait(timeout=10)
        watch.terminate()
        try:
            watch.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watch.kill()
        server.stop()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
