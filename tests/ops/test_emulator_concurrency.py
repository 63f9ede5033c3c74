"""The emulator answers concurrent requests the way AWS does: none fails because another ran beside it.

moto's backends are not thread-safe. Under Terraform's parallel requests, a request could fail with a
500 after it had changed the emulator's state; the provider's SDK retried it, and the retry was refused
(``InvalidPermission.Duplicate`` for a security-group rule the state never recorded). The patch
``requests_are_dispatched_one_at_a_time`` lets one request at a time into moto.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from ops.emulator_patches.dispatch import OneRequestAtATime
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY
from tests.e2e.conftest import free_port

THREADS = 8


class Recorder:
    """A WSGI application that notes how many requests are inside it at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.closed = 0
        self.counter_lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.counter_lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.05)
        start_response("200 OK", [])
        recorder = self

        class Body(list):
            def close(self) -> None:
                with recorder.counter_lock:
                    recorder.inside -= 1
                    recorder.closed += 1

        return Body([b"ok"])


def run_together(call, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)

    def one(_: int):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_without_the_gate_requests_overlap_and_with_it_they_never_do():
    unguarded = Recorder()
    run_together(lambda: list(unguarded({}, lambda *a: None)))
    assert unguarded.most_inside > 1, "the threaded server no longer runs requests side by side?"

    guarded, gate = Recorder(), OneRequestAtATime()
    bodies = run_together(lambda: gate.run(guarded, {}, lambda *a: None))
    assert guarded.most_inside == 1
    assert bodies == [[b"ok"]] * THREADS
    assert guarded.closed == THREADS, "each response is rendered and closed inside the gate"


def test_a_request_stuck_in_the_emulator_makes_the_next_one_answer_503_instead_of_hanging():
    gate = OneRequestAtATime(wait_seconds=0.1)
    statuses: list[str] = []
    gate.lock.acquire()
    try:
        body = gate.run(Recorder(), {"REQUEST_METHOD": "POST", "PATH_INFO": "/"}, lambda status, headers: statuses.append(status))
    finally:
        gate.lock.release()
    assert statuses == ["503 Service Unavailable"]
    assert b"held the emulator for over 0 s; POST / was not run" in body[0]


TAGS = [{"Key": key, "Value": "v"} for key in ("Environment", "Application", "CostCenter", "Owner", "Name")]
GROUPS_PER_THREAD = 25


def test_terraform_like_parallel_writes_never_fail_in_the_emulator(tmp_path, monkeypatch):
    """Tagged creates and tagged egress rules from several threads at once, as the provider sends them,
    with the SDK's retries off: every request succeeds once, and the emulator logs no error.

    Without the patch this fails most runs (a 500 from ``dictionary changed size during iteration``)."""
    import boto3
    from botocore.config import Config

    from ops.emulator import Emulator

    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    emulator = Emulator(free_port())
    emulator.start()
    try:
        def ec2():
            return boto3.client(
                "ec2", region_name="us-east-1", endpoint_url=emulator.url, aws_access_key_id=EMULATOR_ACCESS_KEY,
                aws_secret_access_key=EMULATOR_SECRET_KEY, config=Config(retries={"total_max_attempts": 1}),
            )

        vpc_id = ec2().create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        outcomes: Counter[str] = Counter()

        def worker(index: int) -> None:
            client = ec2()
            for n in range(GROUPS_PER_THREAD):
                try:
                    group = client.create_security_group(
                        GroupName=f"g{index}-{n}", Description="stress", VpcId=vpc_id,
                        TagSpecifications=[{"ResourceType": "security-group", "Tags": TAGS}],
                    )["GroupId"]
                    client.authorize_security_group_egress(
                        GroupId=group,
                        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": TAGS}],
                    )
                    client.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
                    outcomes["ok"] += 1
                except Exception as error:  # every kind of failure is counted and shown
                    outcomes[f"{type(error).__name__}: {str(error)[:160]}"] += 1

        run_together(lambda: worker(threading.get_ident()))
        log = emulator.log_file.read_text(errors="replace")
    finally:
        emulator.stop()
    assert outcomes == {"ok": THREADS * GROUPS_PER_THREAD}, outcomes
    assert "Error on request" not in log, log[log.index("Error on request") :][:3000]


def test_only_a_successful_attempt_is_answered_again_and_an_error_is_retried_for_real():
    calls = []

    def application(environ, start_response):
        calls.append(environ["HTTP_AMZ_SDK_REQUEST"])
        status = {1: "500 Internal Server Error", 2: "400 Bad Request"}.get(len(calls), "200 OK")
        start_response(status, [("X-Call", str(len(calls)))])
        return [f"call {len(calls)}".encode()]

    gate, answered = OneRequestAtATime(), []

    def attempt(number: int, invocation: str = "one-call") -> bytes:
        environ = {"HTTP_AMZ_SDK_INVOCATION_ID": invocation, "HTTP_AMZ_SDK_REQUEST": f"attempt={number}; max=25"}
        return gate.run(application, environ, lambda status, headers: answered.append((status, headers)))[0]

    assert attempt(1) == b"call 1"  # a 500: the SDK retries it by design, so it runs again
    assert attempt(2) == b"call 2"  # a 400 (a throttle, say): the same
    assert attempt(3) == b"call 3"
    assert attempt(4) == b"call 3", "a successful attempt is answered again, not run again"
    assert answered[-1] == ("200 OK", [("X-Call", "3")])
    assert attempt(1, "another-call") == b"call 4"
    assert len(calls) == 4
