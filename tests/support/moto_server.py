"""Runs a moto server on 127.0.0.1 for one test process.

Prints the port on the first line of stdout, then serves until stdin closes: the server dies
with the test process that started it, even if that process is killed.

With SECAUDIT_MOTO_KEEPALIVE set, moto is served by waitress, which keeps HTTP/1.1 connections
open as AWS does; moto's own server (werkzeug) closes every connection, which makes a client
pay a TCP set-up per request. The benchmark uses it so that its CPU figures are the client's
work, not connection churn that AWS would not cause.

DescribeSnapshots honours `OwnerIds` and `RestorableByUserIds`, as AWS does and moto 5.1.18
does not (it returns every snapshot): the public-snapshot check asks for exactly those.

Snapshot block public access (get, enable) is emulated per account and region.

With SECAUDIT_MOTO_BUCKET_REGION set, ListBuckets names each bucket's region (`BucketRegion`),
as S3 has since 2024 and moto does not: the client then skips its per-bucket location lookup,
as it does against AWS.
"""
import os
import socket
import sys
import threading

# AWS-managed policies (AdministratorAccess) must exist to be attached; default AMIs only
# slow start-up (instances launch with any AMI id).
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# moto counts the automated snapshot of each new DB instance against the manual-snapshot quota
# (100), so the benchmark's larger accounts could not be created.
os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "100000")

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)
from moto.server import ThreadedMotoServer  # noqa: E402


def list_bucket_regions() -> None:
    import moto.s3.responses as s3_responses

    # The handler renders this module global on every call, so replacing it is enough.
    s3_responses.S3_ALL_BUCKETS = s3_responses.S3_ALL_BUCKETS.replace(
        "</CreationDate>",
        "</CreationDate><BucketRegion>{{ bucket.region_name }}</BucketRegion>",
    )
    assert "<BucketRegion>" in s3_responses.S3_ALL_BUCKETS, "moto's bucket list changed"


def snapshots_filtered_as_aws() -> None:
    from moto.ec2.responses import elastic_block_store as ebs

    def describe_snapshots(self):  # type: ignore[no-untyped-def]
        filters = self._filters_from_querystring()
        snapshot_ids = self._get_param("SnapshotIds", [])
        snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
        owners = self._get_param("OwnerIds", [])
        if owners:
            account = self.current_account
            snapshots = [s for s in snapshots if s.owner_id in owners or ("self" in owners and s.owner_id == account)]
        restorers = self._get_param("RestorableByUserIds", [])
        if restorers:
            snapshots = [
                s
                for s in snapshots
                if ("all" in restorers and "all" in s.create_volume_permission_groups)
                or set(restorers) & s.create_volume_permission_userids
            ]
        return self.response_template(ebs.DESCRIBE_SNAPSHOTS_RESPONSE).render(snapshots=snapshots)

    assert hasattr(ebs.ElasticBlockStore, "describe_snapshots"), "moto's snapshot listing moved"
    ebs.ElasticBlockStore.describe_snapshots = describe_snapshots


def snapshot_block_public_access() -> None:
    """GetSnapshotBlockPublicAccessState and EnableSnapshotBlockPublicAccess, which moto 5.1.18
    answers with a 500: a state per account and region, `unblocked` until enabled."""
    from moto.ec2.responses import EC2Response

    states: dict = {}
    template = (
        '<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>secaudit-test</requestId><state>{state}</state>{extra}</{action}Response>"
    )

    def key(self):  # type: ignore[no-untyped-def]
        return (self.current_account, self.region)

    def get_state(self):  # type: ignore[no-untyped-def]
        state = states.get(key(self), "unblocked")
        return template.format(
            action="GetSnapshotBlockPublicAccessState",
            state=state,
            extra="<managedBy>account</managedBy>",
        )

    def enable(self):  # type: ignore[no-untyped-def]
        states[key(self)] = self._get_param("State")
        return template.format(
            action="EnableSnapshotBlockPublicAccess", state=states[key(self)], extra=""
        )

    assert not hasattr(EC2Response, "get_snapshot_block_public_access_state"), "moto has it now"
    EC2Response.get_snapshot_block_public_access_state = get_state
    EC2Response.enable_snapshot_block_public_access = enable


def behave_as_aws() -> None:
    """Every patch above that makes moto answer as AWS does (used by every emulator the tests
    start, this script's and the Lambda end-to-end test's)."""
    snapshots_filtered_as_aws()
    snapshot_block_public_access()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_keep_alive(port: int) -> None:
    from waitress.server import create_server

    app = DomainDispatcherApplication(create_backend_app)
    # waitress stops accepting connections beyond 100 (its default) until idle ones time out;
    # an organization audit keeps more than that alive, as it may against AWS.
    server = create_server(app, host="127.0.0.1", port=port, threads=8, connection_limit=2000)
    threading.Thread(target=server.run, daemon=True).start()


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else free_port()
    behave_as_aws()
    if os.environ.get("SECAUDIT_MOTO_BUCKET_REGION"):
        list_bucket_regions()
    if os.environ.get("SECAUDIT_MOTO_KEEPALIVE"):
        serve_keep_alive(port)  # a daemon thread: it ends with this process
        stop = None
    else:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        stop = server.stop
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()
