"""Polaris's labeled check fixtures as comparison cases.

Where the labels come from (FairwindsOps/polaris, read from a bare snapshot with ``git show``):

* ``test/checks/<checkID>/*.yaml`` -- one directory per check.  The file name carries the label:
  a name containing "failure" is a failing fixture, any other name a passing one.  ``check.yaml``
  defines a test-only custom check, and files named ``*mutated*`` are mutation outputs.
* ``test/schema_test.go`` (TestChecks) -- how those files are run: each file is loaded whole, only
  its directory's check is enabled, and the check runs on every object of its target.
* ``pkg/config/checks/<checkID>.yaml`` -- the built-in check's ``target`` (and ``controllers``),
  which decides which objects of a file the label belongs to.

Each fixture file becomes one case; its label is given to the object(s) of the check's target kind.
Left out: test-only custom checks (a directory with ``check.yaml`` and no built-in definition),
mutation outputs, files with no target object or a target without ``metadata.name``, failing files
with several target objects (the label cannot be pinned to one; none at COMMIT), and bindings whose
roleRef names a role absent from the file (their label depends on cluster state).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from ._git import git, resolve

REPO = "FairwindsOps/polaris"
COMMIT = "c0e23a233b2087272a7f524f1b922f4e3f2f9689"

# Targets under which Polaris looks for a pod spec (spec, spec.template or spec.jobTemplate).
WORKLOAD_TARGETS = {"PodSpec", "Container", "PodTemplate", "Controller"}

# Fixtures whose binding points at a Role/ClusterRole that is not in the file: Polaris fails them
# because its lookup finds nothing, which a file linter cannot tell from a role defined in-cluster.
CLUSTER_DEPENDENT_SUFFIX = "binding_points_to_missing_ref.yaml"


def has_pod_spec(doc: dict) -> bool:
    if doc.get("kind") == "Pod":
        return True
    spec = doc.get("spec") or {}
    if not isinstance(spec, dict):
        return False
    tmpl = spec.get("template")
    if isinstance(tmpl, dict) and isinstance(tmpl.get("spec"), dict):
        return True
    job = spec.get("jobTemplate")
    if isinstance(job, dict):
        jt = ((job.get("spec") or {}).get("template") or {})
        return isinstance(jt.get("spec"), dict)
    return False


def target_matcher(check_def: dict) -> tuple[Callable[[dict], bool], str]:
    """A predicate for the objects a check targets, and the target's name."""
    target = check_def.get("target", "")
    if target in WORKLOAD_TARGETS:
        ctl = check_def.get("controllers") or {}
        include, exclude = ctl.get("include"), ctl.get("exclude") or []

        def match(doc: dict) -> bool:
            kind = doc.get("kind")
            if not has_pod_spec(doc):
                return False
            if include and kind not in include:
                return False
            return kind not in exclude
        return match, target
    kind = target.split("/")[-1]
    return (lambda doc: doc.get("kind") == kind), target


def extract(git_dir: Path, work: Path, rev: str = COMMIT) -> tuple[list[dict], dict[str, list[str]]]:
    """(cases, skipped fixture paths by reason).  ``work`` is unused: everything is read from git."""
    rev = resolve(git_dir, rev, COMMIT)
    files = git(git_dir, "ls-tree", "-r", "--name-only", rev, "test/checks").split()
    builtin = {Path(p).stem for p in git(git_dir, "ls-tree", "-r", "--name-only", rev, "pkg/config/checks").split()}
    by_check: dict[str, list[str]] = {}
    for path in files:
        parts = path.split("/")
        if len(parts) == 4 and parts[3].endswith((".yaml", ".yml")):
            by_check.setdefault(parts[2], []).append(path)

    cases: list[dict] = []
    skipped: dict[str, list[str]] = {}

    def skip(reason: str, path: str) -> None:
        skipped.setdefault(reason, []).append(path)

    for check, paths in sorted(by_check.items()):
        if check.startswith("_"):
            continue
        if check not in builtin:
            for p in paths:
                if p.endswith("/check.yaml"):
                    continue
                skip("test-only custom check (check.yaml), not a built-in Polaris check", p)
            continue
        check_def = yaml.safe_load(git(git_dir, "show", f"{rev}:pkg/config/checks/{check}.yaml"))
        match, _target = target_matcher(check_def)
        for path in sorted(paths):
            name = path.rsplit("/", 1)[1]
            if name == "check.yaml":
                continue
            if "mutated" in name:
                skip("mutation output (mutated*.yaml), not run by TestChecks", path)
                continue
            if name.endswith(CLUSTER_DEPENDENT_SUFFIX):
                skip("label depends on a Role/ClusterRole absent from the files (cluster state)", path)
                continue
            label = "fail" if "failure" in name else "pass"
            text = git(git_dir, "show", f"{rev}:{path}")
            docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
            targets = [d for d in docs if match(d)]
            if not targets:
                skip("no object of the check's target kind", path)
                continue
            if any(not (d.get("metadata") or {}).get("name") for d in targets):
                skip("target object without metadata.name", path)
                continue
            expect = {f"{d['kind']}/{d['metadata']['name']}": label for d in targets}
            if label == "fail" and len(expect) > 1:
                skip("failure file with several target objects (label not per object)", path)
                continue
            cases.append({"peer": "polaris", "check": check, "source": path,
                          "files": {"manifest.yaml": text}, "expect": expect})
    return cases, skipped


def cases(git_dir: Path, work: Path, rev: str = COMMIT) -> list[dict]:
    """One case per fixture file: {"peer", "check", "source", "files", "expect": {"Kind/name": label}}."""
    return extract(git_dir, work, rev)[0]
