"""Malformed account files (``accounts/<name>.toml``): refused like bad environment files.

Each case runs the real entry point (``python main.py``) against a directory holding
the bad account file and the shipped environment files, and checks: exit code 2, one
``<file>: <field>: <reason>`` line per problem, no traceback, nothing written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from environments import ENVIRONMENTS_DIR
from environments.accounts import ACCOUNTS_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT = (ACCOUNTS_DIR / "default.toml").read_text()
DEV = (ENVIRONMENTS_DIR / "dev.toml").read_text()


def replace(old: str, new: str, text: str = DEFAULT) -> str:
    assert old in text, f"accounts/default.toml no longer contains {old!r}"
    return text.replace(old, new, 1)


@dataclass(frozen=True)
class BadAccount:
    case: str
    content: str | bytes
    field: str
    reason: str
    file_name: str = "default.toml"
    problems: int = 1


CASES = [
    BadAccount("unknown key", 'acount_id = "123456789012"\n' + DEFAULT, "acount_id", "unknown key; remove it or fix its spelling"),
    BadAccount("missing account id", replace('account_id = "123456789012"\n', ""), "account_id", "required key is missing"),
    BadAccount("account id too short", replace('"123456789012"', '"12345"'), "account_id", "is not an AWS account id"),
    BadAccount("account id as a number", replace('"123456789012"', "123456789012"), "account_id", "Input should be a valid string"),
    BadAccount("bad home region", replace('home_region = "us-east-1"', 'home_region = "us-east"'), "home_region", "is not an AWS region name"),
    BadAccount("regions without the home region", replace('home_region = "us-east-1"\n', 'home_region = "us-east-1"\nregions = ["eu-west-1"]\n'), "regions", "does not include the home region 'us-east-1'"),
    BadAccount("a region twice", replace('home_region = "us-east-1"\n', 'home_region = "us-east-1"\nregions = ["us-east-1", "us-east-1"]\n'), "regions", "a region is listed twice"),
    BadAccount("bad contact email", replace('email = "security@example.com"', 'email = "security"'), "security_contact.email", "is not an email address"),
    BadAccount("bad contact phone", replace('phone = "+1 206 555 0100"', 'phone = "555-0100"'), "security_contact.phone", "is not an international phone number"),
    BadAccount("no security contact", replace("[security_contact]", "[contact]"), "contact", "unknown key", problems=2),
    BadAccount("weak password length", DEFAULT + "\n[password_policy]\nminimum_length = 8\n", "password_policy.minimum_length", "greater than or equal to 14"),
    BadAccount("short reuse prevention", DEFAULT + "\n[password_policy]\nreuse_prevention = 5\n", "password_policy.reuse_prevention", "greater than or equal to 24"),
    BadAccount("password expiry over three years", DEFAULT + "\n[password_policy]\nmax_age_days = 2000\n", "password_policy.max_age_days", "less than or equal to 1095"),
    BadAccount("key deletion window too short", DEFAULT + "\n[protections]\nkey_deletion_window_days = 3\n", "protections.key_deletion_window_days", "greater than or equal to 7"),
    BadAccount("a feature misspelt", DEFAULT + "\n[features]\nguard_duty = false\n", "features.guard_duty", "unknown key"),
    BadAccount("a feature as a string", DEFAULT + '\n[features]\ninspector = "off"\n', "features.inspector", "Input should be a valid boolean"),
    BadAccount("state outside the home region", replace('region = "us-east-1"\nkey', 'region = "eu-west-1"\nkey'), "state.region", "is not the home region"),
    BadAccount("bad state key", replace('key = "baseline/default.tfstate"', 'key = "/baseline"'), "state.key", "is not a usable state key"),
    BadAccount("name inside the file", 'name = "main"\n' + DEFAULT, "name", "an account's name comes from its file name"),
    BadAccount("deploy role as an ARN", replace('home_region = "us-east-1"\n', 'home_region = "us-east-1"\ndeploy_role = "arn:aws:iam::1:role/x"\n'), "deploy_role", "is not an IAM role name"),
    BadAccount("a repository without its owner", replace('github_repository = "acme/platform"', 'github_repository = "platform"'), "delivery.github_repository", "is not a GitHub repository; write it as owner/name"),
    BadAccount("a repository as a URL", replace('github_repository = "acme/platform"', 'github_repository = "https://github.com/acme/platform.git"'), "delivery.github_repository", "is not a GitHub repository"),
    BadAccount("a state role that is a name", replace('key = "baseline/default.tfstate"', 'key = "baseline/default.tfstate"\nrole_arn = "acme-state"'), "state.role_arn", "is not an IAM role ARN"),
    BadAccount("broken TOML", DEFAULT + "\n[features\n", "(syntax)", "is not valid TOML"),
    BadAccount("not UTF-8", b"account_id = \"\xff\"\n", "(file)", "is not UTF-8"),
    BadAccount("empty file", "", "account_id", "required key is missing", problems=6),
]


def run_synth(environments: Path, accounts: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLATFORM_ENVIRONMENTS_DIR": str(environments), "PLATFORM_ACCOUNTS_DIR": str(accounts), "CDKTF_OUTDIR": str(outdir)}
    env.pop("PLATFORM_ENVS", None)
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "main.py")], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def directories(tmp_path: Path) -> tuple[Path, Path, Path]:
    environments, accounts, outdir = tmp_path / "environments", tmp_path / "accounts", tmp_path / "cdktf.out"
    for directory in (environments, accounts, outdir):
        directory.mkdir()
    (environments / "dev.toml").write_text(DEV)
    (outdir / "sentinel").write_text("before")
    return environments, accounts, outdir


def assert_refused(result, path: Path, field: str, reason: str, problems: int, outdir: Path) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "synth refused, nothing was written:"
    assert len(lines[1:]) == problems, lines
    prefix = f"{path.resolve()}: {field}: "
    assert any(line.startswith(prefix) and reason in line for line in lines[1:]), "\n".join(lines)
    assert sorted(p.name for p in outdir.iterdir()) == ["sentinel"]


def test_there_are_at_least_ten_distinct_cases():
    assert len({case.case for case in CASES}) == len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.case for c in CASES])
def test_bad_account_file_is_refused_with_one_clear_line(case: BadAccount, directories):
    environments, accounts, outdir = directories
    bad = accounts / case.file_name
    bad.write_bytes(case.content) if isinstance(case.content, bytes) else bad.write_text(case.content)
    assert_refused(run_synth(environments, accounts, outdir), bad, case.field, case.reason, case.problems, outdir)


@pytest.mark.parametrize(
    "dev_edit, field, reason",
    [
        (lambda text: 'account = "workloads"\n' + text, "account", "no account called 'workloads'; add accounts/workloads.toml"),
        (lambda text: text.replace('region = "us-east-1"\n', 'region = "us-west-2"\n', 1).replace("us-east-1a", "us-west-2a").replace("us-east-1b", "us-west-2b"), "region", "'us-west-2' is not covered by account 'default'"),
        (lambda text: 'account_id = "210987654321"\n' + text, "account_id", "is not the id of account 'default' (123456789012)"),
        (lambda text: 'deploy_role_arn = "arn:aws:iam::123456789012:role/x"\n' + text, "deploy_role_arn", "unknown key; the deploy role is the account's: set deploy_role in accounts/default.toml"),
    ],
    ids=["unknown-account", "region-not-covered", "another-account-id", "deploy-role-in-the-environment"],
)
def test_an_environment_must_name_an_account_that_covers_it(directories, dev_edit, field, reason):
    environments, accounts, outdir = directories
    (accounts / "default.toml").write_text(DEFAULT)
    dev = environments / "dev.toml"
    dev.write_text(dev_edit(DEV))
    result = run_synth(environments, accounts, outdir)
    if field == "account":
        assert result.returncode == 2 and "no account called 'workloads'; add accounts/workloads.toml" in result.stderr, result.stderr
        assert sorted(p.name for p in outdir.iterdir()) == ["sentinel"]
    else:
        assert_refused(result, dev, field, reason, 1, outdir)


def test_a_good_account_fills_in_the_environments_account_id(tmp_path):
    from environments import load_accounts, load_environments

    (account,) = load_accounts().values()
    assert account.covered_regions == ["us-east-1"] and account.password_policy.minimum_length == 14
    assert {c.account_id for c in load_environments()} == {account.account_id}


def test_an_environment_cannot_take_the_name_of_a_baseline_stack(directories):
    environments, accounts, outdir = directories
    (accounts / "default.toml").write_text(DEFAULT)
    clash = environments / "baseline-qa.toml"
    clash.write_text(DEV.replace("acme-tfstate-dev", "acme-tfstate-bq").replace('key = "platform/dev.tfstate"', 'key = "platform/bq.tfstate"'))
    result = run_synth(environments, accounts, outdir)
    assert_refused(result, clash, "(file name)", "starts with 'baseline-', the prefix of account baseline stacks", 1, outdir)
