"""``bench/results.md``: one section per benchmark, each rewritten by its own run and the others kept.

A section starts at its top-level heading (``# Synth benchmark``) and runs to the next one, so ``make bench`` and
``make bench-loop`` each replace only their own figures.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def sections(text: str) -> list[tuple[str, str]]:
    """``(heading, whole section text)`` of each top-level section, in order; text before the first is dropped."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("# "):
            found.append((line.strip(), [line]))
        elif found:
            found[-1][1].append(line)
    return [(heading, "".join(lines).rstrip("\n") + "\n") for heading, lines in found]


def replace_section(text: str, section: str) -> str:
    """``text`` with the section that has ``section``'s heading replaced by ``section`` (appended if it had none)."""
    heading = section.splitlines()[0].strip()
    if not heading.startswith("# "):
        raise ValueError(f"a section starts with a top-level heading, not {heading!r}")
    kept = sections(text)
    if any(name == heading for name, _ in kept):
        kept = [(name, section if name == heading else body) for name, body in kept]
    else:
        kept.append((heading, section))
    return "\n".join(body.rstrip("\n") + "\n" for _, body in kept)


def write_section(section: str, path: Path = RESULTS) -> None:
    """Write ``section`` into ``path``, keeping every other benchmark's section as it is."""
    path.write_text(replace_section(path.read_text() if path.exists() else "", section))
