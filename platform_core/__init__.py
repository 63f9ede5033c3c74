"""The ground floor: facts and rules shared by config, constructs and the pipeline.

Nothing here imports CDKTF, jsii or boto3, so the environment loader and every
pipeline verb can use it without starting the AWS provider bindings
(import-linter enforces it; see pyproject.toml).
"""
