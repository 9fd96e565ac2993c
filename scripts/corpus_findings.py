"""Count findings per rule over the shared real-world corpus and write docs/corpus-findings.md.

    python scripts/corpus_findings.py [CORPUS] [--write docs/corpus-findings.md]

The corpus (../shared/corpus: unmodified third-party compose files, manifests and
config files) shows which rules fire how often on code nobody wrote for trueup, so
rules prone to false positives can be seen and tuned.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from trueup.cli import main as trueup

ROOT = Path(__file__).resolve().parents[1]


def run(corpus: Path, *options: str) -> dict:
    """The JSON report of one run with no trueup.yaml in reach: built-in settings only."""
    out = io.StringIO()
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as empty:
        os.chdir(empty)
        try:
            trueup(["validate", *options, "--format", "json", str(corpus.resolve())], stdout=out, stderr=io.StringIO())
        finally:
            os.chdir(previous)
    return json.loads(out.getvalue())


def counts(corpus: Path) -> tuple[dict, Counter, Counter, list[tuple[str, str, str]]]:
    """Findings of the default run (the standard profile), by rule and by file, and the files not read."""
    corpus = corpus.resolve()
    report = run(corpus)
    files: dict[str, set[str]] = {}
    unread = []  # (rule, file, cause) of each file not read as data
    for finding in report["findings"]:
        files.setdefault(finding["rule"], set()).add(finding["file"])
        if finding["rule"] in ("input.parse", "input.template"):
            name = Path(finding["file"]).relative_to(corpus).as_posix()
            unread.append((finding["rule"], f"{name}:{finding['line']}", finding["message"]))
    by_file = Counter({r: len(f) for r, f in files.items()})
    return report["summary"], Counter(report["summary"]["by_rule"]), by_file, sorted(unread)


def flagged(corpus: Path) -> Counter:
    """rule -> objects (file, target) with at least one finding, every rule run (``--profile strict``)."""
    found: Counter = Counter()
    seen: set[tuple[str, str, str]] = set()
    for finding in run(corpus, "--profile", "strict")["findings"]:
        key = (finding["rule"], finding["file"], finding["target"])
        if key not in seen:
            seen.add(key)
            found[finding["rule"]] += 1
    return found


def applicable(corpus: Path) -> tuple[Counter, dict]:
    """rule -> how many documents of the corpus it applies to (pack rules), and the rules by id."""
    from trueup.load import detect_format, load_path
    from trueup.policy.packs import PolicySettings, load_policy
    from trueup.walk import walk

    policy = load_policy(PolicySettings(profile="strict", entry_points=False), corpus)
    counts: Counter = Counter()
    for path, shown, *_ in walk(corpus, corpus.name, lambda name: detect_format(name) is not None).files:
        fmt = detect_format(path.as_posix())
        if fmt is None:
            continue
        try:
            loaded = load_path(path, file=shown, name=path.relative_to(corpus).as_posix(), fmt=fmt)
        except Exception:  # noqa: BLE001 - unreadable files are counted elsewhere
            continue
        for doc in loaded.documents:
            for rule in policy.rules:
                counts[rule.id] += rule.applies(doc)
    return counts, {r.id: r for r in [*policy.rules, *policy.cross_file]}


def rates(corpus: Path) -> list[str]:
    counts, rules = applicable(corpus)
    FLAGGED = flagged(corpus)
    lines = [
        "",
        "## How often each rule fires, by profile",
        "",
        "Every rule, run with `--profile strict` (the table above is the default, standard, profile; the",
        "profile column says which profile first runs each rule).",
        "*Objects flagged*: distinct objects (a Kubernetes object, a compose file, a config file) with at least",
        "one finding of the rule; *applies to*: documents whose kind the rule reads (pack rules; cross-file",
        "rules compare documents with each other, so they have no such count).",
        "",
        "| rule | severity | profile | objects flagged | applies to | rate |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    over = []
    for rule_id in sorted(rules, key=lambda r: (-FLAGGED[r], r)):
        rule = rules[rule_id]
        total = counts.get(rule_id)
        rate = f"{FLAGGED[rule_id] / total:.0%}" if total else "–"
        lines.append(f"| {rule_id} | {rule.severity} | {getattr(rule, 'profile', 'standard')} | {FLAGGED[rule_id]} | "
                     f"{total if total is not None else '–'} | {rate} |")
        if total and rule.severity >= rule.severity.__class__.HIGH and FLAGGED[rule_id] / total > 0.5:
            over.append(rule_id)
    lines += ["", "Rules at high or above that fire on more than half of the objects they apply to, with the peers"
              " that check the same (each of which flags the same objects: a missing field fails in all of them):"
              if over else "No rule at high or above fires on more than half of the objects it applies to.", ""]
    lines += [f"- {r}: " + ("; ".join(f"{tool} {', '.join(ids)}" for tool, ids in rules[r].peers.items()) or "no peer")
              for r in over]
    return lines


def page(summary: dict, by_rule: Counter, by_file: Counter, unread: list[tuple[str, str, str]],
         rate_lines: list[str] = ()) -> str:
    lines = [
        "# Findings over the real-world corpus",
        "",
        "Generated by `python scripts/corpus_findings.py ../shared/corpus --write docs/corpus-findings.md`.",
        f"`trueup validate` (schemas and every built-in rule) over {summary['files']} third-party files "
        f"({summary['documents']} documents) from public repositories, unmodified. A rule that fires on a large",
        "share of well-known projects' files is a candidate for tuning (or for a lower severity).",
        "Cross-file rules take the files compose combines as one project (a directory's compose.yaml with",
        "its override and what it includes; any other file on its own) and a run's Kubernetes objects as",
        "one set; the corpus keeps each source's files flattened into one directory under new names, so",
        "compose overrides there stand alone and unrelated Kubernetes samples meet (K8S-REFERENCE-EXISTS",
        "counts high).",
        "",
        "| rule | findings | files |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {rule} | {n} | {by_file[rule]} |" for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))]
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.get("skipped_kinds", {}).items(), key=lambda kv: -kv[1]))
    lines += [
        "",
        f"{summary.get('skipped', 0)} documents had no schema to validate against ({kinds}).",
        "",
        "## Files not read as data",
        "",
        "A file that does not parse and holds template markers (`{{`, `{%`) is a template (`input.template`, a",
        "note); one that does not parse and holds none is malformed (`input.parse`). Each, with the cause:",
        "",
    ]
    lines += [f"- `{rule}` `{where}`: {message}" for rule, where, message in unread]
    lines += list(rate_lines)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = page(*counts(args.corpus), rates(args.corpus))
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
