"""Malformed environment files: each is refused by ``python main.py`` with one clear line.

Every case runs the real entry point in a fresh interpreter, as ``cdktf synth``
would, against a directory holding the bad file, and checks:

* the exit code is 2;
* stderr has exactly the expected number of problem lines, and one of them is
  ``<file>: <field>: <reason>`` with the expected reason;
* there is no traceback;
* the output directory is untouched (its sentinel file is the only thing in it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from environments import ENVIRONMENTS_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV = (ENVIRONMENTS_DIR / "dev.toml").read_text()
PROD = (ENVIRONMENTS_DIR / "prod.toml").read_text()


def replace(old: str, new: str, text: str = DEV) -> str:
    assert old in text, f"the dev.toml fixture no longer contains {old!r}"
    return text.replace(old, new, 1)


def drop_section(name: str, text: str = DEV) -> str:
    head, _, rest = text.partition(f"[{name}]\n")
    assert rest, name
    tail = rest[rest.find("\n[") + 1 :] if "\n[" in rest else ""
    return head + tail


@dataclass(frozen=True)
class BadFile:
    case: str
    content: str | bytes
    field: str
    reason: str
    file_name: str = "dev.toml"
    problems: int = 1
    extra_files: dict[str, str] = field(default_factory=dict)


CASES = [
    # --- unknown, missing and mistyped keys
    BadFile("unknown top-level key", 'regoin = "us-east-1"\n' + DEV, "regoin", "unknown key; remove it or fix its spelling"),
    BadFile("unknown nested key", replace('nat_mode = "single"', 'nat_mode = "single"\nnat_mod = "single"'), "network.nat_mod", "unknown key"),
    BadFile("name set inside the file", 'name = "dev"\n' + DEV, "name", "name comes from its file name"),
    BadFile("missing required key", replace('project = "acme"\n', ""), "project", "required key is missing"),
    BadFile("missing section", drop_section("state"), "state", "required key is missing"),
    BadFile("missing tag", replace('Owner = "platform-team@example.com"\n', ""), "tags.Owner", "required key is missing"),
    BadFile("number where text belongs", replace('project = "acme"', "project = 42"), "project", "Input should be a valid string; got 42"),
    BadFile("text where a number belongs", replace("flow_log_retention_days = 365", 'flow_log_retention_days = "365"'), "network.flow_log_retention_days", "valid integer"),
    BadFile("text where a boolean belongs", replace("deletion_protection = false", 'deletion_protection = "no"'), "protections.deletion_protection", "valid boolean"),
    BadFile("table where a list belongs", replace('availability_zones = ["us-east-1a", "us-east-1b"]', 'availability_zones = { a = "us-east-1a" }'), "network.availability_zones", "valid list"),
    BadFile("NAT mode not offered", replace('nat_mode = "single"', 'nat_mode = "double"'), "network.nat_mode", "'single' or 'per_az'; got 'double'"),
    # --- CIDRs
    BadFile("CIDR prefix out of range", replace("10.10.0.0/16", "10.10.0.0/33"), "network.vpc_cidr", "is not an IPv4 CIDR"),
    BadFile("CIDR with host bits", replace("10.10.0.0/16", "10.10.0.1/16"), "network.vpc_cidr", "has host bits set; use 10.10.0.0/16"),
    BadFile("public VPC range", replace("10.10.0.0/16", "8.8.0.0/16"), "network.vpc_cidr", "not a private range"),
    BadFile("VPC too small", replace("10.10.0.0/16", "10.10.0.0/26"), "network.vpc_cidr", "use a prefix from /16 to /24"),
    BadFile("VPC too large", replace("10.10.0.0/16", "10.0.0.0/8"), "network.vpc_cidr", "use a prefix from /16 to /24"),
    BadFile("subnets too small", replace("[network]\n", "[network.subnet_prefix_lengths]\nprivate = 29\n\n[network]\n"), "network.subnet_prefix_lengths.private", "between /21 and /28"),
    BadFile("subnets too large for six AZ slots", replace("[network]\n", "[network.subnet_prefix_lengths]\npublic = 19\n\n[network]\n"), "network.subnet_prefix_lengths.public", "between /21 and /28"),
    BadFile("overlapping allow-list entries", replace('["203.0.113.0/24"]', '["203.0.113.0/24", "203.0.113.128/25"]'), "api.allowed_ingress_cidrs[1]", "overlaps 203.0.113.0/24"),
    BadFile("allow-list admits the internet", replace('["203.0.113.0/24"]', '["0.0.0.0/0"]'), "api.allowed_ingress_cidrs[0]", "would admit the whole internet"),
    BadFile("allow-list overlaps the VPC", replace('["203.0.113.0/24"]', '["10.10.5.0/24"]'), "api.allowed_ingress_cidrs[0]", "overlaps the VPC's own range"),
    BadFile("empty allow-list", replace('["203.0.113.0/24"]', "[]"), "api.allowed_ingress_cidrs", "needs at least 1 entry, has 0"),
    BadFile("allow-list entry is not a CIDR", replace('["203.0.113.0/24"]', '["office"]'), "api.allowed_ingress_cidrs[0]", "is not an IPv4 CIDR"),
    BadFile("allow-list missing", replace('allowed_ingress_cidrs = ["203.0.113.0/24"]\n', ""), "api.allowed_ingress_cidrs", "required key is missing"),
    BadFile("allow-list in both the old and the new place", replace("[network]\n", '[network]\nallowed_ingress_cidrs = ["198.51.100.0/24"]\n'), "network.allowed_ingress_cidrs", "also set as api.allowed_ingress_cidrs; keep only [api] allowed_ingress_cidrs"),
    # --- availability zones and region
    BadFile("AZ outside the region", replace('"us-east-1b"]', '"us-west-2b"]'), "network.availability_zones[1]", "not an availability zone of region us-east-1"),
    BadFile("duplicate AZ", replace('"us-east-1b"]', '"us-east-1a"]'), "network.availability_zones[1]", "listed twice"),
    BadFile("one AZ only", replace('["us-east-1a", "us-east-1b"]', '["us-east-1a"]'), "network.availability_zones", "needs at least 2 entries, has 1"),
    BadFile("four AZs", replace('["us-east-1a", "us-east-1b"]', '["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]'), "network.availability_zones", "needs at most 3 entries, has 4"),
    BadFile("AZ letter beyond f", replace('"us-east-1b"]', '"us-east-1g"]'), "network.availability_zones[1]", "must end in one of the letters"),
    BadFile("not a region", replace('region = "us-east-1"\nproduction', 'region = "us-east"\nproduction'), "region", "is not an AWS region name"),
    # --- retention
    BadFile("retention CloudWatch rejects", replace("flow_log_retention_days = 365", "flow_log_retention_days = 31"), "network.flow_log_retention_days", "31 is not a retention CloudWatch Logs accepts"),
    BadFile("zero retention", replace("[logging]\nretention_days = 365", "[logging]\nretention_days = 0"), "logging.retention_days", "0 is not a retention CloudWatch Logs accepts"),
    # --- names that would make invalid bucket names
    BadFile("project with capitals", replace('project = "acme"', 'project = "Acme"'), "project", "cannot start bucket and resource names"),
    BadFile("project with underscore", replace('project = "acme"', 'project = "acme_corp"'), "project", "cannot start bucket and resource names"),
    BadFile(
        "bucket names over 63 characters",
        replace('project = "acme"', 'project = "averyveryverylongproject"'),
        "project",
        "over S3's 63",
        file_name="staging-europe.toml",
    ),
    BadFile("state bucket with capitals", replace('bucket = "acme-tfstate-dev"', 'bucket = "Acme_TFState"'), "state.bucket", "is not a valid S3 bucket name"),
    BadFile("state bucket shaped like an IP", replace('bucket = "acme-tfstate-dev"', 'bucket = "192.168.1.1"'), "state.bucket", "do not shape it like an IP address"),
    BadFile("state bucket leaving no room for its log bucket", replace('bucket = "acme-tfstate-dev"', f'bucket = "acme-tfstate-{"d" * 40}"'), "state.bucket", "over S3's 63; use at most 51 characters"),
    BadFile("Insights switched on with a string", replace("[audit]\n", '[audit]\ninsights = "yes"\n'), "audit.insights", "Input should be a valid boolean"),
    BadFile("state key not a tfstate", replace('key = "platform/dev.tfstate"', 'key = "/platform/dev"'), "state.key", "is not a usable state key"),
    BadFile("file name not an environment name", DEV, "(file name)", "is not a usable environment name", file_name="Dev_1.toml"),
    # --- other fields
    BadFile("unknown interface endpoint", replace("interface_endpoints = []", 'interface_endpoints = ["s4"]'), "network.interface_endpoints[0]", "Input should be"),
    BadFile("interface endpoint twice", replace("interface_endpoints = []", 'interface_endpoints = ["ssm", "ssm"]'), "network.interface_endpoints", "listed twice"),
    BadFile("account id too short", replace('region = "us-east-1"\nproduction', 'region = "us-east-1"\naccount_id = "12345"\nproduction'), "account_id", "is not an AWS account id"),
    BadFile("Environment tag disagrees with the name", replace('[tags]\n', '[tags]\nEnvironment = "prod"\n'), "tags.Environment", "differs from the environment's name 'dev'"),
    BadFile("blank tag", replace('CostCenter = "CC-1001"', 'CostCenter = "  "'), "tags.CostCenter", "not blank"),
    BadFile("production relaxes a protection", replace("production = false", "production = true"), "protections.deletion_protection", "a production environment may not turn this protection off", problems=11),
    BadFile("production turns Object Lock off", replace("[audit]\n", '[audit]\nobject_lock = "off"\n', PROD), "audit.object_lock", "keeps its audit logs under Object Lock", file_name="prod.toml"),
    BadFile("compliance lock on buckets a destroy empties", replace('object_lock = "off"', 'object_lock = "compliance"'), "audit.object_lock", "so a destroy cannot empty the audit bucket"),
    BadFile("Object Lock mode not offered", replace('object_lock = "off"', 'object_lock = "legal-hold"'), "audit.object_lock", "Input should be 'compliance', 'governance' or 'off'"),
    BadFile("production keeps audit logs under 7 years", replace("log_retention_days = 2557", "log_retention_days = 365", PROD), "audit.log_retention_days", "keeps audit logs at least 7 years; use 2557", file_name="prod.toml"),
    # --- encryption and storage
    BadFile("key deletion window too short", replace("key_deletion_window_days = 7", "key_deletion_window_days = 3"), "encryption.key_deletion_window_days", "greater than or equal to 7"),
    BadFile("unknown storage class", replace("[storage]\n", '[storage]\ndata_transitions = [{ days = 30, storage_class = "COLD" }]\n'), "storage.data_transitions[0].storage_class", "Input should be 'STANDARD_IA'"),
    BadFile("transitions out of order", replace("[storage]\n", '[storage]\ndata_transitions = [{ days = 90, storage_class = "GLACIER_IR" }, { days = 60, storage_class = "GLACIER" }]\n'), "storage.data_transitions[1].days", "60 is not after the previous transition's 90"),
    BadFile("infrequent access too early", replace("[storage]\n", '[storage]\ndata_transitions = [{ days = 10, storage_class = "STANDARD_IA" }]\n'), "storage.data_transitions[0].days", "S3 moves objects to STANDARD_IA only after 30 days"),
    # --- database, compute, monitoring
    BadFile("backup window overlaps maintenance", replace("[database]\n", '[database]\nbackup_window = "04:10-04:40"\n'), "database.backup_window", "overlaps the maintenance window sun:04:00-sun:04:30"),
    BadFile("backup window malformed", replace("[database]\n", '[database]\nbackup_window = "3am"\n'), "database.backup_window", "is not a daily UTC window"),
    BadFile("maintenance window too short", replace("[database]\n", '[database]\nmaintenance_window = "sun:04:00-sun:04:10"\n'), "database.maintenance_window", "shorter than the 30 minutes RDS requires"),
    BadFile("database too small for Performance Insights", replace('instance_class = "db.t4g.medium"', 'instance_class = "db.t3.micro"'), "database.instance_class", "cannot run Performance Insights"),
    BadFile("production database in one AZ", replace('backup_retention_days = 30', 'backup_retention_days = 30\nmulti_az = false', PROD), "database.multi_az", "a production database runs in two AZs", file_name="prod.toml"),
    BadFile("storage ceiling below the allocation", replace("max_allocated_storage_gb = 50", "max_allocated_storage_gb = 10"), "database.max_allocated_storage_gb", "greater than or equal to 20"),
    BadFile("storage ceiling under the allocation", replace("allocated_storage_gb = 20\nmax_allocated_storage_gb = 50", "allocated_storage_gb = 100\nmax_allocated_storage_gb = 50"), "database.max_allocated_storage_gb", "50 is below allocated_storage_gb (100); raise it"),
    BadFile("engine other than MySQL 8.4 or 8.0", replace("[database]\n", '[database]\nengine_version = "5.7"\n'), "database.engine_version", "should match pattern"),
    BadFile("MySQL 8.0 past RDS standard support", replace("[database]\n", '[database]\nengine_version = "8.0"\n'), "database.engine_version", "RDS standard support for MySQL 8.0 ended on 31 July 2026"),
    BadFile("MySQL 8.0.x pinned past RDS standard support", replace("[database]\n", '[database]\nengine_version = "8.0.40"\n'), "database.engine_version", "set accept_extended_support = true in [database]"),
    BadFile("Extended Support accepted where there is none", replace("[database]\n", "[database]\naccept_extended_support = true\n"), "database.accept_extended_support", "MySQL 8.4 is in RDS standard support"),
    BadFile("AMI id malformed", replace("[compute]\n", '[compute]\nami_id = "ubuntu"\n'), "compute.ami_id", "should match pattern"),
    BadFile("too many servers per AZ", replace("instances_per_az = 1", "instances_per_az = 9"), "compute.instances_per_az", "less than or equal to 4"),
    BadFile("alarm email malformed", replace('alarm_emails = ["platform-team@example.com"]', 'alarm_emails = ["platform-team"]'), "monitoring.alarm_emails[0]", "is not an email address"),
    # --- backups
    BadFile("production without the vault lock", replace("[state]\n", "[backup]\nvault_lock = false\n\n[state]\n", PROD), "backup.vault_lock", "a production environment locks its backup vault", file_name="prod.toml"),
    BadFile("production keeps daily backups a week", replace("[state]\n", "[backup]\ndaily_retention_days = 7\nlock_min_retention_days = 7\n\n[state]\n", PROD), "backup.daily_retention_days", "keeps its daily backups at least 14 days", file_name="prod.toml"),
    BadFile("a rule's retention outside the vault lock", replace("[state]\n", "[backup]\ndaily_retention_days = 14\n\n[state]\n", PROD), "backup.daily_retention_days", "14 is outside the vault lock's 35-365 days", file_name="prod.toml"),
    BadFile("vault lock minimum above its maximum", replace("[state]\n", "[backup]\nlock_min_retention_days = 400\n\n[state]\n", PROD), "backup.lock_min_retention_days", "400 is above lock_max_retention_days (365)", file_name="prod.toml"),
    BadFile("vault lock grace period under AWS's 3 days", replace("[state]\n", "[backup]\nlock_changeable_for_days = 1\n\n[state]\n", PROD), "backup.lock_changeable_for_days", "greater than or equal to 3", file_name="prod.toml"),
    BadFile("lock settings without the lock", replace("vault_lock = false", "vault_lock = false\nlock_max_retention_days = 35"), "backup.lock_max_retention_days", "vault_lock = false does not use it"),
    BadFile("weekly backups kept shorter than daily ones", replace("weekly_retention_days = 35", "weekly_retention_days = 5"), "backup.weekly_retention_days", "5 is below daily_retention_days (7)"),
    BadFile("copy to the environment's own region", replace("[backup]\n", '[backup]\ncopy_to_region = "us-east-1"\n'), "backup.copy_to_region", "us-east-1 is the environment's own region"),
    BadFile("copy to something that is no region", replace("[backup]\n", '[backup]\ncopy_to_region = "west"\n'), "backup.copy_to_region", "is not an AWS region name"),
    BadFile("backup window shorter than AWS Backup's hour", replace("[backup]\n", '[backup]\nwindow = "05:00-05:30"\n'), "backup.window", "shorter than the 60 minutes AWS Backup requires"),
    BadFile("backup window on the database's own", replace("[backup]\n", '[backup]\nwindow = "02:30-03:30"\n'), "backup.window", "overlaps the database's backup window 03:00-03:30", problems=2),
    BadFile("backup window in the hour before maintenance", replace("[backup]\n", '[backup]\nwindow = "03:30-04:30"\n'), "backup.window", "overlaps, on sun, the database's maintenance window sun:04:00-sun:04:30 or the hour before it"),
    BadFile("weekly backup on no day", replace("[backup]\n", '[backup]\nweekly_day = "sunday"\n'), "backup.weekly_day", "Input should be 'mon'"),
    # --- API and serverless
    BadFile("IAM authorizer without principals", replace('invoke_principals = ["acme-api-client-dev"]\n', ""), "api.invoke_principals", 'authorizer "iam" admits nobody without it; list at least one'),
    BadFile("invoke principal that is no role or ARN", replace('["acme-api-client-dev"]', '["arn:aws:iam::123:role/x"]'), "api.invoke_principals[0]", "is neither a role name of the environment's account nor an IAM role or user ARN"),
    BadFile("invoke principal twice", replace('["acme-api-client-dev"]', '["a", "a"]'), "api.invoke_principals", "an entry is listed twice"),
    BadFile("Cognito authorizer without user pools", replace("[api]\n", '[api]\nauthorizer = "cognito"\n'), "api.cognito_user_pool_arns", 'authorizer "cognito" admits nobody without it', problems=2),
    BadFile("unknown authorizer", replace("[api]\n", '[api]\nauthorizer = "none"\n'), "api.authorizer", "Input should be 'iam' or 'cognito'"),
    BadFile("CORS origin with a path", replace('cors_allowed_origins = ["https://dev.app.example.com"]', 'cors_allowed_origins = ["https://dev.app.example.com/app"]'), "api.cors_allowed_origins[0]", "is not an HTTPS origin"),
    BadFile("CORS wildcard origin", replace('cors_allowed_origins = ["https://dev.app.example.com"]', 'cors_allowed_origins = ["*"]'), "api.cors_allowed_origins[0]", "is not an HTTPS origin"),
    BadFile("CORS origin twice", replace('cors_allowed_origins = ["https://dev.app.example.com"]', 'cors_allowed_origins = ["https://a.example.com", "https://a.example.com"]'), "api.cors_allowed_origins", "an origin is listed twice"),
    BadFile("burst below the rate", replace("throttle_burst_limit = 20", "throttle_burst_limit = 5"), "api.throttle_burst_limit", "5 is below throttle_rate_limit (10)"),
    BadFile("function timeout beyond API Gateway's", replace("reserved_concurrency = 5", "reserved_concurrency = 5\ntimeout_seconds = 60"), "serverless.timeout_seconds", "less than or equal to 29"),
    BadFile("log expiry of zero days", replace("log_expiration_days = 30", "log_expiration_days = 0"), "storage.log_expiration_days", "greater than or equal to 1"),
    BadFile(
        "two environments share a state key",
        DEV,
        "state.key",
        "is already the state of 'a-dev'",
        file_name="b-dev.toml",
        extra_files={"a-dev.toml": DEV},
    ),
    # --- bytes that are not a TOML environment at all
    BadFile("TOML syntax error", replace('nat_mode = "single"', "nat_mode = single"), "(syntax)", "is not valid TOML"),
    BadFile("unterminated table header", replace("[logging]", "[logging"), "(syntax)", "is not valid TOML"),
    BadFile("non-UTF-8 bytes", DEV.encode() + b'\nOwner2 = "caf\xe9"\n', "(file)", "is not UTF-8"),
    BadFile("huge file", DEV + "# padding\n" * 8000, "(file)", "an environment file is limited to 65536 bytes"),
    BadFile("empty file", "", "project", "required key is missing", problems=6),
]


def run_synth(environments_dir: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLATFORM_ENVIRONMENTS_DIR": str(environments_dir), "CDKTF_OUTDIR": str(outdir)}
    env.pop("PLATFORM_ENVS", None)
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "main.py")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def untouched_outdir(tmp_path: Path) -> Path:
    outdir = tmp_path / "cdktf.out"
    outdir.mkdir()
    (outdir / "sentinel").write_text("before")
    return outdir


def test_there_are_at_least_thirty_distinct_cases():
    assert len({case.case for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.case for c in CASES])
def test_bad_file_is_refused_with_one_clear_line(case: BadFile, tmp_path: Path, untouched_outdir: Path):
    directory = tmp_path / "environments"
    directory.mkdir()
    for name, text in case.extra_files.items():
        (directory / name).write_text(text)
    bad = directory / case.file_name
    if isinstance(case.content, bytes):
        bad.write_bytes(case.content)
    else:
        bad.write_text(case.content)

    result = run_synth(directory, untouched_outdir)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "synth refused, nothing was written:"
    problem_lines = lines[1:]
    assert len(problem_lines) == case.problems, problem_lines
    prefix = f"{bad.resolve()}: {case.field}: "
    matching = [line for line in problem_lines if line.startswith(prefix)]
    assert matching, f"no line starts with {prefix!r}:\n" + "\n".join(problem_lines)
    assert any(case.reason in line for line in matching), matching
    assert sorted(p.name for p in untouched_outdir.iterdir()) == ["sentinel"]
    assert (untouched_outdir / "sentinel").read_text() == "before"


def test_directory_without_environment_files_is_refused(tmp_path: Path, untouched_outdir: Path):
    empty = tmp_path / "environments"
    empty.mkdir()
    result = run_synth(empty, untouched_outdir)
    assert result.returncode == 2
    assert f"{empty}: (directory): holds no *.toml environment files" in result.stderr
    assert sorted(p.name for p in untouched_outdir.iterdir()) == ["sentinel"]


def test_refusal_happens_before_the_provider_bindings_load(tmp_path):
    """The check needs only pydantic: the AWS provider bindings are never loaded for a refused file."""
    directory = tmp_path / "environments"
    directory.mkdir()
    (directory / "dev.toml").write_text(replace("10.10.0.0/16", "10.10.0.1/16"))
    probe = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import main\n"
        "code = main.main([])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'cdktf_cdktf_provider_aws'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(PROJECT_ROOT)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PLATFORM_ENVIRONMENTS_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "2 []", result.stdout + result.stderr
