"""The platform's constructs, one module per concern.

Every module here builds Terraform resources through CDKTF and the AWS provider
bindings. Facts the pipeline or the config also need live in ``platform_core``,
so that nothing outside synth starts jsii.
"""
