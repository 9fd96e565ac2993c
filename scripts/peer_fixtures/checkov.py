"""Checkov's labeled Kubernetes check fixtures as comparison cases.

Where the labels come from (bridgecrewio/checkov, exported from a bare snapshot with ``git archive``):

* ``checkov/kubernetes/checks/resource/k8s/<Module>.py`` -- one check per module: its id (CKV_K8S_<n>)
  and, for PodSecurityPolicy checks, ``supported_kind``.  PodSecurityPolicy checks and the control-plane
  command-flag checks (CKV_K8S_68..151) are left out.
* ``tests/kubernetes/checks/test_<Name>.py`` -- the unit tests that import a check's module: the fixture
  folder the first test method scans, the summary counts it asserts (passed / failed / skipped /
  parsing_errors) and, when it lists them, the resource ids expected to pass and to fail.
* ``tests/kubernetes/checks/example_<Name>/`` -- the fixture files.

The tests mostly assert counts, not which object passes or fails.  The per-object verdicts are taken
from Checkov itself (3.3.13, the release cut from COMMIT), run on each fixture folder with only the
check enabled, through the Runner API the unit tests use.  A folder is kept only when Checkov's counts
equal the test's asserted counts and, when the test lists resource ids, the ids equal those lists; then
every fixture file with at least one evaluated object is one case, labelled Kind/metadata.name -> verdict.

Checkov is not a dependency of trueup: the verdicts come from a Python that has Checkov installed
(``checkov_python`` or the TRUEUP_CHECKOV_PYTHON environment variable), or, when neither is given, from
checkov_results.json beside this module, the recorded output of such a run at COMMIT.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from ._git import resolve

REPO = "bridgecrewio/checkov"
COMMIT = "03d5fdad8d6154b1565799a7b1fb8070c158866f"
CHECKOV_VERSION = "3.3.13"  # the release cut from COMMIT: its checkov/kubernetes is COMMIT's
CHECKS_DIR = "checkov/kubernetes/checks/resource/k8s"
TESTS_DIR = "tests/kubernetes/checks"
CACHE = Path(__file__).with_name("checkov_results.json")
ENV = "TRUEUP_CHECKOV_PYTHON"

# Runs under the Python that has Checkov: argv[1] = JSON [[key, folder, check id], ...], argv[2] = output.
_RUNNER = r"""
import json, os, sys
from checkov.kubernetes.runner import Runner
from checkov.runner_filter import RunnerFilter
with open(sys.argv[1]) as f:
    jobs = json.load(f)
out = {}
for key, folder, check_id in jobs:
    report = Runner().run(root_folder=folder, runner_filter=RunnerFilter(checks=[check_id]))
    results = []
    for verdict, recs in (("pass", report.passed_checks), ("fail", report.failed_checks),
                          ("skip", report.skipped_checks)):
        for r in recs:
            results.append([verdict, r.resource, os.path.relpath(r.file_abs_path, folder)])
    out[key] = {"summary": report.get_summary(), "results": results}
with open(sys.argv[2], "w") as f:
    json.dump(out, f)
"""


def export(git_dir: Path, rev: str, dest: Path) -> None:
    """The check modules and the unit tests with their fixtures, as files under ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", rev, TESTS_DIR, CHECKS_DIR],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def catalog(src: Path) -> list[dict]:
    """{"id", "module", "kinds"} of each CKV_K8S check, by number.  kinds is [] when the module names none."""
    checks = []
    for path in (src / CHECKS_DIR).glob("*.py"):
        text = path.read_text()
        found = re.search(r'\bid = "(CKV_K8S_(\d+))"', text)
        if not found:
            continue
        kinds = re.search(r"supported_kind\w*\s*=\s*[(\[](.*?)[)\]]", text, re.S)
        checks.append({"n": int(found.group(2)), "id": found.group(1), "module": path.stem,
                       "kinds": re.findall(r"""['"](\w+)['"]""", kinds.group(1)) if kinds else []})
    checks.sort(key=lambda c: c["n"])
    return checks


def in_scope(check: dict) -> bool:
    n = int(check["id"].rsplit("_", 1)[1])
    if (check.get("kinds") or []) == ["PodSecurityPolicy"]:
        return False
    if 68 <= n <= 151:  # kube-apiserver / kubelet / etcd / controller-manager / scheduler flag checks
        return False
    return True


def parse_test(test_file: Path) -> dict:
    """Fixture folder, counts of the first test method, and listed resource ids (if any)."""
    tree = ast.parse(test_file.read_text())
    methods = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    method = methods[0]
    src = ast.get_source_segment(test_file.read_text(), method)
    folder = re.search(r'["\'/](example_[A-Za-z0-9_]+)', src).group(1)
    counts = {}
    for key in ("passed", "failed", "skipped", "parsing_errors"):
        m = re.search(r"""summary\[["']%s["']\],\s*(\d+)""" % key, src)
        if m:
            counts[key] = int(m.group(1))
    listed: dict[str, list[str]] = {}
    for node in ast.walk(method):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, (ast.Set, ast.List)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts):
                vals = [e.value for e in node.value.elts]
                if "pass" in name:
                    listed["pass"] = vals
                elif "fail" in name:
                    listed["fail"] = vals
    return {"folder": folder, "counts": counts, "listed": listed, "n_methods": len(methods)}


def find_tests(tests: Path, module: str) -> list[Path]:
    pat = re.compile(r"from checkov\.kubernetes\.checks\.resource\.k8s\.%s import check\b" % re.escape(module))
    return sorted(p for p in tests.glob("test_*.py") if pat.search(p.read_text()))


def load_objects(path: Path) -> list[dict] | None:
    text = path.read_text()
    try:
        if path.suffix == ".json":
            docs = [json.loads(text)]
        else:
            docs = list(yaml.safe_load_all(text))
    except Exception:
        return None
    objs = []
    for d in docs:
        if not isinstance(d, dict):
            continue
        if d.get("kind") == "List" and isinstance(d.get("items"), list):
            objs.extend(i for i in d["items"] if isinstance(i, dict))
        else:
            objs.append(d)
    return objs


def checkov_id(obj: dict) -> tuple[str, str | None]:
    md = obj.get("metadata") or {}
    return f'{obj.get("kind")}.{md.get("namespace", "default")}.{md.get("name")}', md.get("name")


def run_checkov(python: str, jobs: list[tuple[str, Path, str]]) -> dict[str, dict]:
    """key -> {"summary", "results": [[verdict, resource id, file relative to the folder], ...]} for each
    (key, folder, check id), all in one process of ``python`` (which must have Checkov installed)."""
    env = {k: v for k, v in os.environ.items() if k != "HELM_NAMESPACE"}
    with tempfile.TemporaryDirectory() as tmp:
        jobs_file, out_file = Path(tmp) / "jobs.json", Path(tmp) / "out.json"
        jobs_file.write_text(json.dumps([[key, str(folder), cid] for key, folder, cid in jobs]))
        proc = subprocess.run([python, "-I", "-c", _RUNNER, str(jobs_file), str(out_file)], cwd=tmp, env=env,
                              check=False, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"Checkov run with {python} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        runs = json.loads(out_file.read_text())
    versions = {r["summary"].get("checkov_version") for r in runs.values()}
    if versions - {CHECKOV_VERSION}:
        warnings.warn(f"{python} runs Checkov {sorted(map(str, versions))}; the labels were made with "
                      f"{CHECKOV_VERSION}", stacklevel=2)
    return runs


def read_cache(commit: str, cache: Path = CACHE) -> dict[str, dict]:
    if not cache.exists():
        raise RuntimeError(f"Checkov's per-object verdicts are needed: set {ENV} to a Python with checkov "
                           f"{CHECKOV_VERSION} installed (no cached results at {cache})")
    data = json.loads(cache.read_text())
    if data.get("commit") != commit:
        raise RuntimeError(f"{cache} holds Checkov results for {REPO}@{data.get('commit')}, not {commit}; "
                           f"set {ENV} to a Python with checkov installed to run it")
    return data["runs"]


def write_cache(commit: str, runs: dict[str, dict], cache: Path = CACHE) -> None:
    """JSON with one line per run's summary and one per result, so a re-run diffs line by line."""
    lines = ["{", f' "repo": {json.dumps(REPO)},', f' "commit": {json.dumps(commit)},',
             f' "checkov": {json.dumps(CHECKOV_VERSION)},', ' "runs": {']
    for i, k in enumerate(sorted(runs)):
        results = ",\n".join(f"   {json.dumps(r)}" for r in runs[k]["results"])
        lines.append(f'  {json.dumps(k)}: {{"summary": {json.dumps(runs[k]["summary"], sort_keys=True)}, '
                     f'"results": [\n{results}\n  ]}}' + ("," if i < len(runs) - 1 else ""))
    lines += [" }", "}"]
    cache.write_text("\n".join(lines) + "\n")


def extract(git_dir: Path, work: Path, rev: str = COMMIT, checkov_python: str | None = None,
            update_cache: bool = False) -> tuple[list[dict], list[dict]]:
    """(cases, skip records).  ``work`` receives the exported tests and fixtures (Checkov reads files).

    Checkov's verdicts come from ``checkov_python``, else $TRUEUP_CHECKOV_PYTHON, else the cache file;
    ``update_cache`` rewrites the cache file after a live run."""
    commit = resolve(git_dir, rev, COMMIT)
    src = (work / f"checkov-{commit[:12]}").resolve()
    export(git_dir, commit, src)
    tests_dir = src / TESTS_DIR

    skipped: list[dict] = []
    plan: list[tuple[str, Path, dict]] = []  # (check id, test file, parsed test), in run order
    for check in catalog(src):
        if not in_scope(check):
            continue
        cid = check["id"]
        tests = find_tests(tests_dir, check["module"])
        if not tests:
            skipped.append({"check": cid, "reason": "no unit test imports this check class"})
            continue
        for test_file in tests:
            plan.append((cid, test_file, parse_test(test_file)))

    def key(cid: str, folder: Path) -> str:
        return f"{cid}|{folder.relative_to(src).as_posix()}"

    python = checkov_python or os.environ.get(ENV)
    if python:
        runs = run_checkov(python, [(key(cid, tests_dir / t["folder"]), tests_dir / t["folder"], cid)
                                    for cid, _, t in plan])
        if update_cache:
            write_cache(commit, runs)
    else:
        runs = read_cache(commit)

    cases = []
    for cid, _test_file, t in plan:
        folder = tests_dir / t["folder"]
        try:
            run = runs[key(cid, folder)]
        except KeyError:
            raise RuntimeError(f"no Checkov result for {key(cid, folder)} in {CACHE}") from None
        summary = run["summary"]
        results = [tuple(r) for r in run["results"]]
        src_rel = str(folder.relative_to(src))
        mismatch = [k for k, v in t["counts"].items() if summary.get(k) != v]
        if mismatch or "passed" not in t["counts"]:
            skipped.append({"check": cid, "source": src_rel, "reason": "checkov counts differ from test",
                            "test": t["counts"], "checkov": summary})
            continue
        if t["listed"]:
            got = {v: sorted(r for vv, r, _ in results if vv == v) for v in ("pass", "fail")}
            if any(sorted(t["listed"].get(v, [])) != got[v] for v in ("pass", "fail")):
                skipped.append({"check": cid, "source": src_rel,
                                "reason": "checkov resource ids differ from test's lists"})
                continue
        by_file = defaultdict(list)
        for verdict, rid, fpath in results:
            by_file[fpath].append((verdict, rid))
        for fpath, recs in sorted(by_file.items()):
            source = f"{src_rel}/{fpath}"
            if any(v == "skip" for v, _ in recs):
                skipped.append({"check": cid, "source": source, "reason": "checkov skipped (suppressed) object"})
                continue
            objs = load_objects(folder / fpath)
            if objs is None:
                skipped.append({"check": cid, "source": source, "reason": "file not parseable as plain YAML/JSON"})
                continue
            keys = Counter(f'{o.get("kind")}/{(o.get("metadata") or {}).get("name")}' for o in objs)
            if any(n > 1 for n in keys.values()):
                skipped.append({"check": cid, "source": source, "reason": "duplicate Kind/name in file"})
                continue
            ids: dict[str, list[str]] = {}
            for o in objs:
                rid, name = checkov_id(o)
                if name:
                    ids.setdefault(rid, []).append(f'{o["kind"]}/{name}')
            if Counter(r for _, r in recs).most_common(1)[0][1] > 1:
                skipped.append({"check": cid, "source": source, "reason": "checkov reported one id twice"})
                continue
            expect, dropped = {}, []
            for verdict, rid in recs:
                if rid in ids and len(ids[rid]) == 1:
                    expect[ids[rid][0]] = verdict
                else:
                    dropped.append(rid)
            if dropped:
                skipped.append({"check": cid, "source": source, "reason": "object without metadata.name / unmapped id",
                                "ids": dropped, "objects": len(dropped)})
            if not expect:
                continue
            cases.append({"peer": "checkov", "check": cid, "source": source,
                          "files": {fpath: (folder / fpath).read_text()}, "expect": expect})
    return cases, skipped


def cases(git_dir: Path, work: Path, rev: str = COMMIT, checkov_python: str | None = None) -> list[dict]:
    """One case per fixture file with evaluated objects: {"peer", "check", "source", "files", "expect"}."""
    return extract(git_dir, work, rev, checkov_python)[0]
