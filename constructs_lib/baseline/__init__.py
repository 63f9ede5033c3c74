"""The account baseline: the security controls that exist once per AWS account and region.

:class:`~constructs_lib.baseline.stack.BaselineStack` wires one account
(``accounts/<name>.toml``) from the constructs of this package, one concern each:

* ``threat_detection.py``: GuardDuty, with its protection features;
* ``security_hub.py``: Security Hub with the CIS and AWS Foundational standards, and
  the home region's aggregation of every covered region's findings;
* ``config_recording.py``: AWS Config recording every resource into an encrypted,
  access-logged bucket, and managed rules that mirror the platform's promises;
* ``ebs_encryption.py``: EBS encryption by default, under a customer-managed key;
* ``access_analysis.py``: IAM Access Analyzer and Inspector scanning;
* ``account_settings.py``: the password policy, the account S3 public-access block,
  the security contact and the support role;
* ``findings.py``: high-severity findings to a topic the security contact hears;
* ``api_gateway_logging.py``: API Gateway's account setting, the role it logs through.

Regional services are created in every covered region through an aliased provider;
account-wide settings once, in the home region.
"""
