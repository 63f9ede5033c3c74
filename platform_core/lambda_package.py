"""Reproducible Lambda packages: the same source always gives the same zip and the same hash.

A zip normally records file times and the packer's file modes, so two clones
of the same commit give different archives and Terraform sees a code change.
Here every entry is written in sorted order with a fixed time (1980-01-01) and
mode (0644), and caches (``__pycache__``, ``*.pyc``) are left out. No CDKTF
import: the packages are built before the stacks.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
LAMBDA_SOURCE_ROOT = Path(__file__).resolve().parent.parent / "lambda_src"


@dataclass(frozen=True)
class LambdaPackage:
    """A built package: where the zip is, and the ``source_code_hash`` Lambda expects (base64 SHA-256)."""

    name: str
    zip_path: Path
    base64_sha256: str


def _source_files(source_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in source_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    )


def zip_bytes(source_dir: Path) -> bytes:
    """The deterministic zip of a source directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in _source_files(source_dir):
            entry = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), date_time=FIXED_TIME)
            entry.external_attr = 0o100644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def build_package(name: str, out_dir: Path, source_root: Path = LAMBDA_SOURCE_ROOT) -> LambdaPackage:
    """Zip ``lambda_src/<name>`` into ``out_dir``; the file name carries the content hash."""
    data = zip_bytes(source_root / name)
    digest = hashlib.sha256(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}-{digest.hexdigest()[:16]}.zip"
    if not path.exists():
        path.write_bytes(data)
    return LambdaPackage(name=name, zip_path=path, base64_sha256=base64.b64encode(digest.digest()).decode())
