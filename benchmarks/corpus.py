"""Benchmark corpora built from the shared real-world corpus.

    python benchmarks/corpus.py OUT [--source ../shared/corpus] [--copies 3] [--scale 1] [--limit N]

Reads the source corpus's ``manifest.json`` (see its ``SOURCES.md``) and takes only
the files whose ``yaml_safe_load_all`` is true. Writes

    OUT/k8s/copyN/<source>/<file>       every parseable Kubernetes file, copies x scale times
    OUT/compose/copyN/<source>/<file>   the same for compose files

Each copy is byte-identical to its source (the corpus's own files are unmodified
upstream files). The result depends only on the manifest and the arguments:
files are taken in manifest path order, so two builds are identical.
"""
from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "corpus"
KINDS = ("k8s", "compose")


@dataclass
class Built:
    """What a build wrote: per kind, its directory and every file in it (sorted)."""

    root: Path
    copies: int
    sources: dict[str, list[str]]  # kind -> manifest paths taken (one copy's worth)
    files: dict[str, list[Path]]  # kind -> every written file

    def dir(self, kind: str) -> Path:
        return self.root / kind


def parseable(source: Path, kind: str, limit: int | None = None) -> list[str]:
    """Manifest paths (``k8s/<source>/<file>``) of ``kind`` files that ``yaml.safe_load_all`` reads."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    paths = sorted(r["path"] for r in manifest["files"] if r["kind"] == kind and r.get("yaml_safe_load_all") is True)
    return paths[:limit] if limit is not None else paths


def build(out: Path, source: Path = DEFAULT_SOURCE, copies: int = 3, scale: int = 1,
          kinds: tuple[str, ...] = KINDS, limit: int | None = None) -> Built:
    """Write the corpora into ``out`` (each kind's directory is replaced); ``limit`` keeps
    the first N parseable files of each kind (for quick runs)."""
    total = copies * scale
    built = Built(out, total, {}, {})
    for kind in kinds:
        paths = parseable(source, kind, limit)
        target = out / kind
        if target.exists():
            shutil.rmtree(target)
        written: list[Path] = []
        for n in range(1, total + 1):
            for rel in paths:
                dest = target / f"copy{n}" / rel.split("/", 1)[1]
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / rel, dest)
                written.append(dest)
        built.sources[kind] = paths
        built.files[kind] = sorted(written)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the shared corpus (default: %(default)s)")
    parser.add_argument("--copies", type=int, default=3, help="copies of each file (default: 3)")
    parser.add_argument("--scale", type=int, default=1, help="multiplies --copies (linearity runs: 1, 4, 16)")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only this kind (repeatable)")
    parser.add_argument("--limit", type=int, help="only the first N parseable files of each kind")
    args = parser.parse_args()
    built = build(args.out, args.source, args.copies, args.scale, tuple(args.kind or KINDS), args.limit)
    for kind, files in built.files.items():
        print(f"{kind}: {len(built.sources[kind])} parseable files x {built.copies} = {len(files)} files "
              f"in {built.dir(kind)}")


if __name__ == "__main__":
    main()
