"""Run trueup on other linters' own labeled test fixtures and count where it agrees with them.

    python scripts/peer_fixtures/run.py --mirror MIRROR [--peer NAME ...] [--json OUT] [--write docs/peer-fixtures.md]

MIRROR holds bare git snapshots as MIRROR/<owner>+<repo>/repo.  Each peer module (polaris, kube_linter,
checkov, dclint) turns its peer's fixtures into cases: files plus an expected verdict per object
("Kind/name", "services/<name>" for compose, or "file").  Each case's files are written to an empty
directory and checked with ``trueup validate --no-strict --no-baseline --profile strict --format json
--no-cache .``; a finding counts for a peer check when its rule names that check under ``peers:``.
An object is "fail" for trueup when such a finding is reported on it; the key "file" is "fail" when
such a finding is reported anywhere in the case.

Checkov's per-object labels need Checkov itself: set TRUEUP_CHECKOV_PYTHON (or --checkov-python) to a
Python with checkov 3.3.13, or leave it unset to read checkov_results.json.

verdicts.yaml (beside this file) maps "peer|check|source|object" to a one-line judgement of a
disagreement; --write prints it beside that disagreement.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Import the peer modules as the package peer_fixtures: a bare "checkov" module on sys.path would
# shadow the real Checkov package.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path.pop(0)
sys.path.insert(0, str(HERE.parent))

import yaml  # noqa: E402

from peer_fixtures import checkov, dclint, kube_linter, polaris  # noqa: E402
from peer_fixtures._git import resolve  # noqa: E402

PEERS: dict[str, ModuleType] = {"polaris": polaris, "kube-linter": kube_linter, "checkov": checkov, "dclint": dclint}
VERDICTS = HERE / "verdicts.yaml"
TRUEUP_ARGS = ["validate", "--no-strict", "--no-baseline", "--profile", "strict", "--format", "json", "--no-cache", "."]
COLUMNS = ("agree-fail", "agree-pass", "missed", "extra")


@dataclass
class Disagreement:
    peer: str
    check: str
    source: str
    key: str
    expected: str
    got: str
    messages: list[str]

    @property
    def verdict_key(self) -> str:
        return f"{self.peer}|{self.check}|{self.source}|{self.key}"


@dataclass
class PeerResult:
    peer: str
    repo: str
    commit: str
    cases: list[dict]
    stats: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rules: dict[str, list[str]] = field(default_factory=dict)  # check -> trueup rules naming it
    unmapped: Counter = field(default_factory=Counter)  # check -> objects no trueup rule answers for
    disagreements: list[Disagreement] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def objects(self) -> int:
        return sum(len(c["expect"]) for c in self.cases)

    def total(self) -> Counter:
        out: Counter = Counter()
        for c in self.stats.values():
            out.update(c)
        return out


def rule_peers() -> dict[str, set[str]]:
    """"peer:check" -> ids of the trueup rules that list that check under ``peers:``."""
    from trueup.policy.crossfile import all_rules
    from trueup.policy.packs import builtin_dir, load_pack

    out: dict[str, set[str]] = defaultdict(set)
    rules = [r for p in sorted(builtin_dir().glob("*.yaml")) for r in load_pack(p, p.name)]
    rules += list(all_rules(entry_points=False))
    for rule in rules:
        for peer, ids in (rule.peers or {}).items():
            for check in ids:
                out[f"{peer}:{check}"].add(rule.id)
    return out


def key_of(finding: dict) -> str:
    """The case key a finding is about: "services/<name>" or "Kind/name"."""
    target = finding.get("target") or ""
    path = finding.get("path") or ""
    if path.startswith("/services/"):
        return "services/" + path.split("/")[2].replace("~1", "/").replace("~0", "~")
    parts = target.split("/")
    if len(parts) == 3:
        return f"{parts[0]}/{parts[2]}"
    if len(parts) == 2:
        return f"{parts[0]}/{parts[1]}"
    return target


def run_trueup(case: dict) -> tuple[list[dict], str | None]:
    """trueup's findings on the case's files (in an empty directory), and an error text if it gave no report."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in case["files"].items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        proc = subprocess.run([sys.executable, "-m", "trueup", *TRUEUP_ARGS], cwd=tmp, check=False,
                              capture_output=True, text=True, timeout=120)
        try:
            return json.loads(proc.stdout)["findings"], None
        except (json.JSONDecodeError, KeyError):
            return [], f"{case['source']}: trueup exit {proc.returncode}: {proc.stderr.strip()[:300]}"


def compare(peer: str, module: ModuleType, commit: str, cases: list[dict], mapping: dict[str, set[str]],
            jobs: int) -> PeerResult:
    result = PeerResult(peer, module.REPO, commit, cases)
    todo = []
    for case in cases:
        rules = mapping.get(f"{peer}:{case['check']}", set())
        result.rules[case["check"]] = sorted(rules)
        if rules:
            todo.append((case, rules))
        else:
            result.unmapped[case["check"]] += len(case["expect"])
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outputs = list(pool.map(lambda item: run_trueup(item[0]), todo))
    for (case, rules), (all_findings, error) in zip(todo, outputs, strict=True):
        if error:
            result.errors.append(error)
        findings = [f for f in all_findings if f["rule"] in rules]
        flagged = {key_of(f) for f in findings}
        for key, expected in case["expect"].items():
            if key == "file":
                got = "fail" if findings else "pass"
                messages = sorted(f["message"] for f in findings)
            else:
                got = "fail" if key in flagged else "pass"
                messages = sorted(f["message"] for f in findings if key_of(f) == key)
            if got == expected:
                column = f"agree-{expected}"
            else:
                column = "missed" if expected == "fail" else "extra"
                result.disagreements.append(Disagreement(peer, case["check"], case["source"], key, expected, got,
                                                         messages))
            result.stats[case["check"]][column] += 1
    result.disagreements.sort(key=lambda d: (natural(d.check), d.source, d.key))
    return result


def natural(text: str) -> tuple:
    """Sort key that orders CKV_K8S_9 before CKV_K8S_10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text))


def read_verdicts(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise SystemExit(f"{path}: expected a mapping of \"peer|check|source|object\" to a one-line string")
    return data


def code(text: str) -> str:
    """``text`` as a Markdown code span (any backticks inside kept)."""
    text = " ".join(text.split())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def render(results: list[PeerResult], command: str, verdicts: dict[str, str]) -> str:
    lines = ["# trueup on its peers' labeled fixtures", "",
             f"Produced by `{command}`.", "",
             "Each case is a fixture from a peer linter's own tests, with the peer's expected verdict per object, "
             "checked by `trueup " + " ".join(TRUEUP_ARGS) + "` in a directory holding only its files. "
             "*missed*: the peer expects a failure and no trueup rule naming that check reports one; "
             "*extra*: such a rule reports an object the peer expects to pass. "
             "*compared* counts the objects of checks some trueup rule names under `peers:`.", "",
             "| peer | repository | commit | cases | objects | compared | agreement |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        total = r.total()
        compared = sum(total.values())
        agree = total["agree-fail"] + total["agree-pass"]
        lines.append(f"| [{r.peer}](#{r.peer}) | [{r.repo}](https://github.com/{r.repo}) | `{r.commit[:12]}` | "
                     f"{len(r.cases)} | {r.objects} | {compared} | {percent(agree, compared)} |")
    for r in results:
        total = r.total()
        lines += ["", f"## {r.peer}", "",
                  (f"{len(r.cases)} cases from [{r.repo}](https://github.com/{r.repo}/tree/{r.commit}) "
                   f"({labels_from(r.peer)})."), "",
                  "| check | trueup rules | objects | agree (fail) | agree (pass) | missed | extra |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        objects: Counter = Counter()
        for case in r.cases:
            objects[case["check"]] += len(case["expect"])
        for check in sorted(objects, key=natural):
            if check in r.unmapped:
                lines.append(f"| {check} | *none* | {objects[check]} | – | – | – | – |")
                continue
            c = r.stats[check]
            rules = ", ".join(r.rules[check])
            lines.append(f"| {check} | {rules} | {objects[check]} | " + " | ".join(str(c[k]) for k in COLUMNS) + " |")
        lines.append(f"| **total** | | **{r.objects}** | " + " | ".join(f"**{total[k]}**" for k in COLUMNS) + " |")
        lines += ["", f"### Disagreements with {r.peer} ({len(r.disagreements)})", ""]
        if not r.disagreements:
            lines.append("None.")
        for d in r.disagreements:
            said = "; ".join(code(m) for m in d.messages) if d.messages else "no finding"
            line = (f"- {d.check} · `{d.source}` · `{d.key}`: expected **{d.expected}**, trueup **{d.got}**"
                    f" — {said}")
            if d.verdict_key in verdicts:
                line += f" — *verdict:* {' '.join(verdicts[d.verdict_key].split())}"
            lines.append(line)
    return "\n".join(lines) + "\n"


def labels_from(peer: str) -> str:
    """Where the peer module says its labels come from: the paths its docstring's bullets open with."""
    paths = re.findall(r"^\* ``([^`]+)``", PEERS[peer].__doc__ or "", re.M)
    return "labels from " + ", ".join(f"`{p}`" for p in paths) if paths else "see its module"


def command_line(args: argparse.Namespace) -> str:
    parts = ["python scripts/peer_fixtures/run.py", "--mirror", str(args.mirror)]
    for peer in args.peer or []:
        parts += ["--peer", peer]
    if args.verdicts != VERDICTS:
        parts += ["--verdicts", str(args.verdicts)]
    if args.write:
        out = Path(args.write).resolve()
        parts += ["--write", str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(args.write)]
    return " ".join(parts)


def stale_verdicts(verdicts: dict[str, str], results: Iterable[PeerResult]) -> list[str]:
    live = {d.verdict_key for r in results for d in r.disagreements}
    peers = {r.peer for r in results}
    return sorted(k for k in verdicts if k.split("|", 1)[0] in peers and k not in live)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, required=True, help="directory of <owner>+<repo>/repo bare snapshots")
    parser.add_argument("--peer", action="append", choices=sorted(PEERS), help="only this peer (repeatable)")
    parser.add_argument("--json", type=Path, help="write the extracted cases (a JSON list) here")
    parser.add_argument("--write", type=Path, help="write the Markdown page here")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS, help=f"verdicts file (default {VERDICTS.name})")
    parser.add_argument("--checkov-python", help="Python with checkov installed (default $TRUEUP_CHECKOV_PYTHON, "
                                                 "else the cached checkov_results.json)")
    parser.add_argument("--update-checkov-cache", action="store_true",
                        help="after a live Checkov run, rewrite checkov_results.json")
    parser.add_argument("--at-head", action="store_true",
                        help="read each snapshot at HEAD instead of the commit its module was written against")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="trueup runs in parallel")
    args = parser.parse_args(argv)

    peers = [p for p in PEERS if not args.peer or p in args.peer]
    verdicts = read_verdicts(args.verdicts)
    mapping = rule_peers()
    results, all_cases = [], []
    with tempfile.TemporaryDirectory() as work:
        for peer in peers:
            module = PEERS[peer]
            git_dir = args.mirror / module.REPO.replace("/", "+") / "repo"
            rev = "HEAD" if args.at_head else module.COMMIT
            if module is checkov:
                cases, _ = checkov.extract(git_dir, Path(work), rev, args.checkov_python, args.update_checkov_cache)
            else:
                cases = module.cases(git_dir, Path(work), rev)
            commit = resolve(git_dir, rev, module.COMMIT)
            all_cases += cases
            result = compare(peer, module, commit, cases, mapping, args.jobs)
            results.append(result)
            total = result.total()
            print(f"{peer}: {len(cases)} cases, {result.objects} objects; "
                  + ", ".join(f"{k} {total[k]}" for k in COLUMNS)
                  + f"; no trueup rule: {sum(result.unmapped.values())} objects of {len(result.unmapped)} checks")
            for error in result.errors:
                print(f"  !! {error}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(all_cases, indent=1) + "\n")
    for key in stale_verdicts(verdicts, results):
        print(f"verdict for no current disagreement: {key}", file=sys.stderr)
    if args.write:
        args.write.write_text(render(results, command_line(args), verdicts))
        print(f"wrote {args.write}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
