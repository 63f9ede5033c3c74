"""What the trail records beyond management events: object-level S3 and Lambda invoke data events.

The environment's buckets and functions are collected here, in one place, from
the constructs that create them (:func:`platform_data_events`), and turned into
the trail's basic event selector (:func:`event_selectors`): one selector, read
and write, with an ``AWS::S3::Object`` data resource naming every bucket and an
``AWS::Lambda::Function`` data resource naming every function.
``get_event_selectors`` returns exactly this, so verification reads it back.

What is recorded, and why:

* Every bucket of the data lake but the trail's own (the audit bucket), the
  environment's Terraform state bucket and its access-log bucket: who read or
  wrote which object, including the state, which holds the environment's secrets.
* Every Lambda function of the environment: each ``Invoke``.

The audit bucket is left out on purpose: every log file the trail delivers
there would be a data event, recorded in the next log file, itself a data
event, and so on, a loop that never settles and is billed per event.

Basic selectors allow 250 data resources per trail (advanced ones 500 values);
synth refuses more rather than letting CloudTrail refuse the apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from constructs_lib.secure_bucket import SecureBucket
from synth_runtime.provider_bindings import aws

BASIC_SELECTOR_DATA_RESOURCE_LIMIT = 250
"""CloudTrail's limit on the data resources of all basic event selectors of one trail."""


@dataclass(frozen=True)
class DataEvents:
    """The ARNs whose data events the trail records."""

    bucket_arns: Sequence[str]
    function_arns: Sequence[str]

    def __post_init__(self) -> None:
        count = len(self.bucket_arns) + len(self.function_arns)
        if count > BASIC_SELECTOR_DATA_RESOURCE_LIMIT:
            raise ValueError(f"the trail would record {count} data resources; CloudTrail allows {BASIC_SELECTOR_DATA_RESOURCE_LIMIT} per trail")


def platform_data_events(
    buckets: Iterable[SecureBucket], *, trail_bucket: SecureBucket, other_bucket_arns: Sequence[str], function_arns: Sequence[str]
) -> DataEvents:
    """The environment's buckets (all of ``buckets`` but ``trail_bucket``, which would loop: see the module
    docstring), the buckets made elsewhere (the state bucket and its log bucket), and the functions."""
    return DataEvents(
        bucket_arns=[*(bucket.arn for bucket in buckets if bucket is not trail_bucket), *other_bucket_arns],
        function_arns=list(function_arns),
    )


def event_selectors(events: DataEvents) -> list:
    """One basic selector: management events, and the data events of ``events``, read and write."""
    trail = aws.cloudtrail
    resources = [trail.CloudtrailEventSelectorDataResource(type="AWS::S3::Object", values=[f"{arn}/" for arn in events.bucket_arns])]
    if events.function_arns:
        resources.append(trail.CloudtrailEventSelectorDataResource(type="AWS::Lambda::Function", values=list(events.function_arns)))
    return [trail.CloudtrailEventSelector(read_write_type="All", include_management_events=True, data_resource=resources)]
