"""PublishedParameters: what other stacks need of an environment, as SSM parameters under ``/<project>/<env>/``.

What it creates, and why: another team's stack must find this environment's VPC,
subnets, security groups, endpoints, table, buckets, API and alarm topic without
copying ids by hand or reading this stack's state (which holds every attribute,
the API key's value included). Terraform's answer to cross-stack exports is a
parameter per value that the consumer reads with the ``aws_ssm_parameter`` data
source. The names follow one scheme (``platform_core/published.py``); the stack
(``constructs_lib/platform.py``) passes one table of :class:`Published` values,
from which it makes both its outputs and these parameters, so an output and its
parameter cannot differ.

One ``aws_ssm_parameter`` resource with ``for_each`` over the parameter names
makes them all: the plan shows ``aws_ssm_parameter.<id>["/acme/dev/network/vpc-id"]``,
and adding a value to the table adds an instance, never another resource.

String, not SecureString, on purpose. The values are ids, names, ARNs and a URL:
any principal with EC2, S3 or API Gateway read access lists them anyway, so
encryption would keep nothing confidential. It would cost: every consumer, and
every plan role that refreshes these parameters (Terraform reads a SecureString
with decryption), would need ``kms:Decrypt`` on one of the environment's keys,
widening who may decrypt the data that key protects; and the plans would show
``(sensitive value)`` where a reviewer must see that a VPC id changed. So the
values go in ``insecure_value`` (a String's value, shown in plans). What matters
for a published value is its integrity, so only the environment's own Terraform
writes the path: an apply role may write no parameter outside its environment's
path (its policy in ``baseline/delivery_roles.py``), and no role the platform
creates may write under ``/<project>/`` (``permissions_boundary.py``). checkov's
CKV2_AWS_34 fails every String parameter whatever it holds; ``policy/suppressions.toml``
accepts it on this one resource, and ``tests/unit/test_published_parameters.py``
pins the exact names, so a secret cannot join the table unnoticed. A consumer
needs only ``ssm:GetParameter`` (README, "Consuming the platform from another stack").

Tags come from the provider's default tags, like every other resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import Fn, TerraformIterator
from constructs import Construct

from constructs_lib.context import StackScope
from platform_core.published import STRING, STRING_LIST
from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class Published:
    """One value the stack publishes: always a stack output, and with ``parameter`` an SSM parameter too."""

    output: str
    """The output's name, such as ``vpc_id``."""
    value: str | list[str]
    """A token; a list becomes a StringList parameter."""
    description: str
    parameter: str | None = None
    """The path under ``/<project>/<env>/`` (``platform_core/published.py``); None for an output only."""


class PublishedParameters(Construct):
    """An SSM parameter per published value that has a path; see the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, values: Sequence[Published]) -> None:
        super().__init__(scope, construct_id)
        self.names = {where.names.parameter(v.parameter): v for v in values if v.parameter is not None}
        each = TerraformIterator.from_map({name: _parameter(value) for name, value in self.names.items()})
        self.parameters = aws.ssm_parameter.SsmParameter(
            self,
            "parameters",
            for_each=each,
            name=each.key,
            type=each.get_string("type"),
            insecure_value=each.get_string("value"),
            description=each.get_string("description"),
        )


def _parameter(published: Published) -> dict[str, str]:
    listed = isinstance(published.value, list)
    return {
        "type": STRING_LIST if listed else STRING,
        "value": Fn.join(",", published.value) if listed else published.value,
        "description": published.description,
    }
