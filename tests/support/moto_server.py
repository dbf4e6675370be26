"""Runs a moto server on 127.0.0.1 for one test process.

Prints the port on the first line of stdout, then serves until stdin closes: the server dies
with the test process that started it, even if that process is killed.
"""
import os
import socket
import sys

# AWS-managed policies (AdministratorAccess) must exist to be attached; default AMIs only
# slow start-up (instances launch with any AMI id).
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# moto counts the automated snapshot of each new DB instance against the manual-snapshot quota
# (100), so the benchmark's larger accounts could not be created.
os.environ.setdefault("MOTO_RDS_SNAPSHOT_LIMIT", "100000")

from moto.server import ThreadedMotoServer  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
