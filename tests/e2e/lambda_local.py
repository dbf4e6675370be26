"""End to end: secaudit-lambda under `cargo lambda watch` (the local Lambda Runtime API),
invoked with `cargo lambda invoke`, against a moto server on 127.0.0.1.

A scheduled event must write the report to S3 at both keys and publish the alert, which is
received through an SQS queue subscribed to the SNS topic; an on-demand request gets its
response; an invalid payload gets an error. Prints "N passed, N failed" and exits non-zero on
any failure. Everything stays on loopback.

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
import traceback

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

ACCOUNT = "123456789012"
BUCKET = "secaudit-reports"
REGION = "us-east-1"


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


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, function):
        try:
            function()
            self.passed += 1
            print(f"test {name} ... ok", flush=True)
        except Exception:  # noqa: BLE001 - report every failure, keep going
            self.failed += 1
            print(f"test {name} ... FAILED", flush=True)
            traceback.print_exc()


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log
    cargo_lambda = sys.argv[1]
    show = "--show" in sys.argv[2:]
    moto_port = free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    server.start()
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
    client = lambda name, **kw: boto3.client(name, endpoint_url=endpoint, **credentials, **kw)  # noqa: E731
    s3 = client("s3", config=Config(s3={"addressing_style": "path"}))
    sns, sqs, ec2 = client("sns"), client("sqs"), client("ec2")

    # The sinks, and an account with a critical finding: a bucket without any public access block.
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket="acme-open-bucket")
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

    checks = Checks()
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

        checks.run("scheduled_event_writes_report_and_alerts", scheduled_event_writes_report_and_alerts)
        checks.run("on_demand_request_gets_its_response", on_demand_request_gets_its_response)
        checks.run("invalid_payload_is_rejected", invalid_payload_is_rejected)
    except Exception:  # noqa: BLE001
        checks.failed += 1
        traceback.print_exc()
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
    print(f"lambda e2e: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
