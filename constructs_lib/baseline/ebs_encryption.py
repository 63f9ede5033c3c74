"""EBS encryption by default in one region, under a customer-managed key of that region.

Every new volume and snapshot copy in the region is encrypted, whoever creates it and
however: the account-level setting cannot be forgotten in a launch template. The key is
the region's own (KMS keys are regional); its policy delegates use to IAM, so a principal
that launches instances needs KMS permissions on it in its own policy.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.baseline.region import Region
from constructs_lib.encryption import EncryptionKey, EncryptionKeyProps
from synth_runtime.provider_bindings import aws


class EbsDefaultEncryption(Construct):
    """The region's EBS key, made the default, and encryption by default turned on."""

    def __init__(self, scope: Construct, construct_id: str, region: Region, deletion_window_days: int) -> None:
        super().__init__(scope, construct_id)
        self.key = EncryptionKey(self, "key", region.scope, EncryptionKeyProps(
            purpose="ebs", description=f"Encrypts every EBS volume of the account in {region.name} by default",
            deletion_window_days=deletion_window_days, prevent_destroy=False, provider=region.provider,
        ))
        aws.ebs_default_kms_key.EbsDefaultKmsKey(self, "default-key", key_arn=self.key.arn, **region.options())
        aws.ebs_encryption_by_default.EbsEncryptionByDefault(self, "by-default", enabled=True, **region.options())
