"""EC2001: instances can reach their metadata only with IMDSv2 session tokens."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument


def _tokens(body: dict) -> str | None:
    options = body.get("metadata_options")
    options = options[0] if isinstance(options, list) and options else options
    return options.get("http_tokens") if isinstance(options, dict) else None


class Imdsv2:
    id = "EC2001"
    description = "Every launch template (and instance) requires IMDSv2"
    fix = "set metadata_options { http_tokens = \"required\" } (constructs_lib.compute does)"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for template in stack.blocks("resource", ["aws_launch_template", "aws_instance"]):
            if _tokens(template.body) != "required":
                yield Finding(template, "does not require IMDSv2 session tokens")


RULE = Imdsv2()
