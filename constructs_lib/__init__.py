"""The platform's constructs, one module per concern.

This package's ``__init__`` stays empty on purpose: the environment loader
imports ``constructs_lib.subnet_layout`` and must not pay for CDKTF or the AWS
provider bindings.
"""
