"""Synthesize environments: build the Lambda packages, then one PlatformStack per environment.

``main.py`` (what ``cdktf synth`` runs) and the test suite both come through
here, so the tests synthesize exactly what users deploy.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from cdktf import App

from constructs_lib.lambda_package import build_package
from constructs_lib.platform import PlatformStack
from constructs_lib.serverless import FUNCTION_PACKAGE
from environments.schema import EnvironmentConfig
from environments.target import DeployTarget


def synthesize(configs: Iterable[EnvironmentConfig], target: DeployTarget, outdir: str | None = None) -> App:
    """Write ``<outdir>/stacks/<env>/cdk.tf.json`` for every config (outdir: CDKTF_OUTDIR or cdktf.out)."""
    app = App(outdir=outdir) if outdir else App()
    with tempfile.TemporaryDirectory(prefix="lambda-packages-") as build:
        package = build_package(FUNCTION_PACKAGE, Path(build))
        for config in configs:
            PlatformStack(app, config, target, package)
        app.synth()
    return app
