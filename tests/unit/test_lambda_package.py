"""Reproducible packaging: same source, same zip, same hash, whatever the file times."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import zipfile

from platform_core.lambda_package import LAMBDA_SOURCE_ROOT, build_package, zip_bytes


def test_same_source_same_zip_same_hash(tmp_path):
    first = build_package("data_api", tmp_path / "one")
    copy = tmp_path / "src" / "data_api"
    shutil.copytree(LAMBDA_SOURCE_ROOT / "data_api", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in copy.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
        path.chmod(0o600 if path.is_file() else 0o700)
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"cache")
    second = build_package("data_api", tmp_path / "two", source_root=tmp_path / "src")
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    assert first.base64_sha256 == second.base64_sha256
    assert first.base64_sha256 == base64.b64encode(hashlib.sha256(first.zip_path.read_bytes()).digest()).decode()


def test_a_change_in_the_source_changes_the_hash(tmp_path):
    copy = tmp_path / "src" / "data_api"
    shutil.copytree(LAMBDA_SOURCE_ROOT / "data_api", copy)
    before = zip_bytes(copy)
    (copy / "handler.py").write_text((copy / "handler.py").read_text() + "\n# changed\n")
    assert zip_bytes(copy) != before


def test_the_zip_holds_the_handler_at_its_root_with_fixed_times_and_modes(tmp_path):
    package = build_package("data_api", tmp_path)
    with zipfile.ZipFile(package.zip_path) as archive:
        entries = archive.infolist()
    assert sorted(e.filename for e in entries) == ["__init__.py", "handler.py"]
    assert {e.date_time for e in entries} == {(1980, 1, 1, 0, 0, 0)}
    assert {e.external_attr >> 16 for e in entries} == {0o100644}
