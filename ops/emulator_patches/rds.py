"""RDS: DB instances (resource ids, default CA, Performance Insights), parameter groups, event subscriptions."""

from __future__ import annotations

from typing import Any

PERFORMANCE_INSIGHTS_KEYS = {
    "enable_performance_insights": "performance_insights_enabled",
    "performance_insights_kms_key_id": "performance_insights_kms_key_id",
    "performance_insights_retention_period": "performance_insights_retention_period",
}


def rds_keeps_performance_insights_settings() -> None:
    """moto does not model Performance Insights: the settings are dropped, so every plan turns
    it on again and each apply waits out an instance modification. Here the settings are kept
    and returned, as AWS does (no insights are collected, as nothing runs in the emulator)."""
    from moto.rds.models import DBInstance, RDSBackend

    original_init = DBInstance.__init__
    original_modify = RDSBackend.modify_db_instance

    def keep(instance: DBInstance, settings: dict[str, Any]) -> None:
        for given, kept in PERFORMANCE_INSIGHTS_KEYS.items():
            if given in settings:
                setattr(instance, kept, bool(settings[given]) if kept.endswith("enabled") else settings[given])

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        keep(self, kwargs)

    def modify_db_instance(self: RDSBackend, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> DBInstance:
        instance = original_modify(self, db_instance_identifier, db_kwargs)
        keep(instance, db_kwargs)
        return instance

    DBInstance.__init__ = __init__  # type: ignore[method-assign]
    RDSBackend.modify_db_instance = modify_db_instance  # type: ignore[method-assign]


def rds_marks_set_parameters_as_user_parameters() -> None:
    """moto returns a parameter group's parameters without their ``Source``; the provider
    keeps only ``Source = user`` parameters, so ``require_secure_transport`` vanishes from
    state and is re-added by every plan. AWS marks what a user set as ``user``; so does this."""
    from moto.rds.models import DBParameterGroup

    original = DBParameterGroup.update_parameters

    def update_parameters(self: DBParameterGroup, new_parameters: Any) -> None:
        new_parameters = list(new_parameters)
        original(self, new_parameters)
        for parameter in new_parameters:
            self.parameters[parameter["ParameterName"]]["Source"] = "user"

    DBParameterGroup.update_parameters = update_parameters  # type: ignore[method-assign]


def rds_instances_get_their_own_resource_ids() -> None:
    """moto gives every DB instance the same ``DbiResourceId``; the AWS provider finds an instance
    by it, so with two instances in an account (two environments) it finds neither. AWS makes
    each unique; so does this (derived from the account, region and identifier)."""
    import base64
    import hashlib

    from moto.rds.models import DBInstance

    original_init = DBInstance.__init__

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        seed = f"{self.account_id}/{self.region}/{self.db_instance_identifier}".encode()
        self.dbi_resource_id = "db-" + base64.b32encode(hashlib.sha256(seed).digest()).decode()[:26]

    DBInstance.__init__ = __init__  # type: ignore[method-assign]


def rds_event_subscriptions_can_be_changed() -> None:
    """moto creates, describes and deletes RDS event subscriptions but cannot change one:
    ``ModifyEventSubscription``, ``AddSourceIdentifierToSubscription`` and
    ``RemoveSourceIdentifierFromSubscription`` are not implemented (HTTP 500, retried until
    Terraform gives up). A plan that changes a subscription, such as the new source id of the
    parameter-group subscription after a MySQL major upgrade, could never apply. AWS changes
    the subscription in place; so does this."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import SubscriptionNotFoundError
    from moto.rds.responses import RDSResponse

    settable = (("SnsTopicArn", "sns_topic_arn"), ("SourceType", "source_type"), ("EventCategories", "event_categories"), ("Enabled", "enabled"))

    def named(response: RDSResponse) -> Any:
        name = response.params.get("SubscriptionName")
        if name not in response.backend.event_subscriptions:
            raise SubscriptionNotFoundError(name)
        return response.backend.event_subscriptions[name]

    def modify_event_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        for given, kept in settable:
            if self.params.get(given) is not None:
                setattr(subscription, kept, self.params[given])
        return ActionResult({"EventSubscription": subscription})

    def add_source_identifier_to_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        source = self.params.get("SourceIdentifier")
        if source not in subscription.source_ids:
            subscription.source_ids = [*subscription.source_ids, source]
        return ActionResult({"EventSubscription": subscription})

    def remove_source_identifier_from_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        subscription.source_ids = [s for s in subscription.source_ids if s != self.params.get("SourceIdentifier")]
        return ActionResult({"EventSubscription": subscription})

    RDSResponse.modify_event_subscription = modify_event_subscription  # type: ignore[attr-defined]
    RDSResponse.add_source_identifier_to_subscription = add_source_identifier_to_subscription  # type: ignore[attr-defined]
    RDSResponse.remove_source_identifier_from_subscription = remove_source_identifier_from_subscription  # type: ignore[attr-defined]


RDS_DEFAULT_CA = "rds-ca-rsa2048-g1"
"""The certificate authority AWS gives a new DB instance when none is asked for (since January 2024)."""


def rds_instances_get_the_current_default_ca() -> None:
    """moto gives a new DB instance the CA ``rds-ca-default``, which AWS no longer issues; AWS gives
    ``rds-ca-rsa2048-g1``. The provider creates the instance without a CA and, when the one reported
    differs from the configured one, modifies it afterwards and waits again (80 s on the emulator,
    the provider's own polling). Here a new instance gets AWS's default, as on AWS."""
    from moto.rds.models import DBInstance

    original_init = DBInstance.__init__

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if "ca_certificate_identifier" not in kwargs:
            self.ca_certificate_identifier = RDS_DEFAULT_CA

    DBInstance.__init__ = __init__  # type: ignore[method-assign]
