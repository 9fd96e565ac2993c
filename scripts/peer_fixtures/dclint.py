"""dclint's (docker-compose-linter) labeled rule tests as comparison cases.

Where the labels come from (zavoloklom/docker-compose-linter, read from a bare snapshot with ``git show``):

* ``tests/rules/<rule>-rule.spec.ts`` -- the ava tests of each rule.  A test that lints a YAML constant
  of its file (``sourceCode: NAME``, where NAME is a ``const NAME = `...`;`` template string) and asserts
  ``expectedMessages`` is a labeled case.  Each ``getMessage({ serviceName: '<s>', ... })`` in
  the expected messages names a failing service; every other service of that YAML passes.  File-level
  rules get the single key "file": it fails when the test expects at least one message.
* ``src/rules/<rule>-rule.ts`` (``defaultOptions``) -- only tests built with the rule's default options
  are kept; DEFAULT_ARGS lists constructor arguments that just restate those defaults.

Several tests that lint the same constant with the same labels are merged into one case ("tests" lists
them).  Style, ordering and quoting rules are left out: trueup has no counterpart for them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from ._git import git, resolve

REPO = "zavoloklom/docker-compose-linter"
COMMIT = "c49696ea1803810813326ed5ec99a4967263a1f4"

SERVICE_RULES = {
    "no-build-and-image", "no-duplicate-container-names", "no-duplicate-exported-ports",
    "no-unbound-port-interfaces", "service-container-name-regex", "service-image-require-explicit-tag",
}
FILE_RULES = {"no-version-field", "require-project-name-field"}
# style / ordering / quoting rules: no trueup counterpart (trueup judges compose semantics, not layout)
STYLE_RULES = {
    "no-quotes-in-volumes", "require-quotes-in-ports", "service-dependencies-alphabetical-order",
    "service-keys-order", "service-ports-alphabetical-order", "services-alphabetical-order",
    "top-level-properties-order",
}
# constructor arguments that merely restate the rule's defaults (src/rules/*-rule.ts defaultOptions)
DEFAULT_ARGS = {
    "no-build-and-image": {"{ checkPullPolicy: true }"},
    "require-quotes-in-ports": {"{ quoteType: 'single' }"},
}


def constants(src: str) -> dict[str, str]:
    """Template-string constants of a spec file (``const NAME = `...`;``)."""
    out = {}
    for m in re.finditer(r"const (\w+) = `(.*?)`;", src, re.S):
        if "${" in m.group(2):
            raise ValueError(f"template interpolation in {m.group(1)}")
        out[m.group(1)] = m.group(2)
    return out


def tests(src: str) -> Iterator[tuple[str, str]]:
    """(title, body) of each top-level ava test of a spec file."""
    for m in re.finditer(r"^test\('((?:[^'\\]|\\.)*)', \(t\) => \{\n(.*?)^\}\);", src, re.S | re.M):
        yield m.group(1), m.group(2)


def extract(git_dir: Path, work: Path, rev: str = COMMIT) -> tuple[list[dict], list[dict]]:
    """(cases, skipped tests).  ``work`` is unused: everything is read from git."""
    rev = resolve(git_dir, rev, COMMIT)
    specs = sorted(p for p in git(git_dir, "ls-tree", "-r", "--name-only", rev).split()
                   if p.startswith("tests/rules/") and p.endswith("-rule.spec.ts"))
    cases: dict[tuple[str, str], dict] = {}
    skipped: list[dict] = []
    for spec in specs:
        rule = spec.split("/")[-1].removesuffix("-rule.spec.ts")
        src = git(git_dir, "show", f"{rev}:{spec}")
        consts = constants(src)
        for title, body in tests(src):
            def skip(reason: str) -> None:
                skipped.append({"check": rule, "source": spec, "test": title, "reason": reason})

            if rule in STYLE_RULES:
                skip("style/ordering/quoting rule, no trueup counterpart")
                continue
            source = re.search(r"sourceCode: (\w+)", body)
            if not source:
                skip("no lint run (fix() test or similar)")
                continue
            ctor = re.search(r"new \w+Rule\((.*?)\);", body, re.S)
            args = " ".join(ctor.group(1).split()) if ctor else ""
            if args and args not in DEFAULT_ARGS.get(rule, set()):
                skip(f"non-default options: {args}")
                continue
            name = source.group(1)
            text = consts[name]
            expected = re.search(r"const expectedMessages(?:: string\[\])? = (\[.*?\]);", body, re.S)
            if not expected:
                skip("no expectedMessages assertion")
                continue
            n_errors = expected.group(1).count("getMessage(")
            failing = set(re.findall(r"serviceName: '([^']+)'", expected.group(1)))
            if rule in FILE_RULES:
                expect = {"file": "fail" if n_errors else "pass"}
            elif rule in SERVICE_RULES:
                doc = yaml.safe_load(text)
                services = list((doc or {}).get("services") or {})
                if failing - set(services):
                    raise ValueError(f"{spec} {title}: unknown services {failing - set(services)}")
                expect = {f"services/{s}": "fail" if s in failing else "pass" for s in services}
            else:
                skip("rule not classified")
                continue
            key = (rule, name)
            case = {"peer": "dclint", "check": rule, "source": f"{spec}#{name}",
                    "files": {"compose.yaml": text}, "expect": expect,
                    "tests": [title], "expected_errors": n_errors}
            if key in cases:
                if cases[key]["expect"] != expect:
                    raise ValueError(f"conflicting labels for {key}")
                cases[key]["tests"].append(title)
                skipped.append({"check": rule, "source": spec, "test": title,
                                "reason": f"duplicate of {spec}#{name} (same YAML, same labels)"})
                continue
            cases[key] = case
    return list(cases.values()), skipped


def cases(git_dir: Path, work: Path, rev: str = COMMIT) -> list[dict]:
    """One case per linted YAML constant: {"peer", "check", "source", "files", "expect", "tests", "expected_errors"}."""
    return extract(git_dir, work, rev)[0]
