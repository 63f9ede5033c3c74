"""What the pipeline deploys: an environment, or an account's baseline. Both are one stack with its own state."""

from __future__ import annotations

from typing import Any, Protocol

from environments.schema import StateConfig


class Deployable(Protocol):
    """The shape :class:`~environments.schema.EnvironmentConfig` and :class:`~environments.account_schema.AccountConfig`
    share, and all that the state bucket, the state history and the pipeline's common steps read."""

    name: str
    project: str
    account_id: str
    state: StateConfig

    @property
    def deploy_role_arn(self) -> str | None:
        """The role of the stack's account that Terraform assumes (the account file's ``deploy_role``), if any."""

    @property
    def state_account_id(self) -> str | None:
        """The account the state bucket is in, when the files say: the state role's, else the stack's own when no
        deploy role stands between (None: whichever account the credentials are)."""

    @property
    def stack_name(self) -> str:
        """The stack, its directory, its Terraform workspace and its files under plans/."""

    @property
    def region(self) -> str:
        """The region of the stack's default provider."""

    @property
    def source_file(self) -> str:
        """The file it comes from, for messages: ``environments/dev.toml``, ``accounts/default.toml``."""

    @property
    def make_args(self) -> str:
        """How make verbs name it: ``ENV=dev``, ``ACCOUNT=default``."""

    @property
    def state_object_key(self) -> str:
        """The state's key in its bucket."""

    @property
    def resource_tags(self) -> dict[str, str]:
        """The standard tags of everything it creates."""

    def settings(self) -> dict[str, Any]:
        """Every setting by dotted name."""
