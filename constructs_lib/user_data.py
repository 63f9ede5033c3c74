"""The app servers' boot script: install and start the CloudWatch agent and the SSM agent.

The agent ships the app's logs (``/var/log/app/*.log``) to the environment's app
log group, and memory and disk use as metrics; the SSM agent is how operators
reach the servers (no SSH, no ingress). The script is plain text in the launch
template; :mod:`constructs_lib.compute` base64-encodes it.
"""

from __future__ import annotations

import json

from platform_core.naming import ResourceNames

CLOUDWATCH_AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"


def app_log_group_name(names: ResourceNames) -> str:
    return names.log_group("app")


def user_data(names: ResourceNames) -> str:
    """The boot script: install and start the CloudWatch agent (app logs, memory, disk) and the SSM agent."""
    agent_config = {
        "agent": {"run_as_user": "cwagent"},
        "logs": {
            "logs_collected": {
                "files": {
                    "collect_list": [
                        {
                            "file_path": "/var/log/app/*.log",
                            "log_group_name": app_log_group_name(names),
                            "log_stream_name": "{instance_id}/app",
                        }
                    ]
                }
            }
        },
        "metrics": {
            "namespace": f"{names.project}/{names.environment}/App",
            "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
            "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}, "disk": {"measurement": ["used_percent"], "resources": ["/"]}},
        },
    }
    return "\n".join(
        [
            "#!/bin/bash",
            "set -euo pipefail",
            "dnf install -y amazon-cloudwatch-agent amazon-ssm-agent",
            "mkdir -p /var/log/app",
            f"cat > {CLOUDWATCH_AGENT_CONFIG} <<'JSON'",
            json.dumps(agent_config, indent=2, sort_keys=True),
            "JSON",
            f"/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:{CLOUDWATCH_AGENT_CONFIG}",
            "systemctl enable --now amazon-ssm-agent",
            "",
        ]
    )
