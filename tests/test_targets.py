"""A target's two trees (trueup.targets): desired files paired with live files by their path below each base."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from trueup.config import Target, config_free
from trueup.drift import IgnoreRule
from trueup.errors import InputError, ParseError
from trueup.load import load_text
from trueup.model import Part, Severity
from trueup.targets import glob_base, ignore_rules, live_root, load_tree, parse_finding, target_trees


def _put(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern, base", [
    ("k8s/**/*.yaml", "k8s"),
    ("k8s/prod/*.yaml", "k8s/prod"),
    ("/k8s/*.yaml", "k8s"),
    ("config/app.yaml", "config"),     # a plain path: its directory
    ("app.yaml", ""),
    ("**/*.yaml", ""),
    ("k8s/app-[ab].yaml", "k8s"),
    ("k8s/a?/x.yaml", "k8s"),
    ("dir with space/ü/*.yaml", "dir with space/ü"),
    ("", ""),
], ids=["double-star", "nested", "leading-slash", "plain-file", "bare-file", "all", "class", "question",
        "unicode", "empty"])
def test_glob_base(pattern: str, base: str) -> None:
    assert glob_base(pattern) == base


def test_ignore_rules() -> None:
    target = Target("k", "kubernetes", ("k8s/**",), ignore=(
        {"paths": ["/spec/replicas", "/metadata/annotations/*"], "reason": "HPA", "kinds": ["Deployment"]},
        {"paths": "/data", "reason": "generated", "names": ["settings"]},
    ))
    assert ignore_rules(target) == [
        IgnoreRule(("/spec/replicas", "/metadata/annotations/*"), "HPA", ("Deployment",), ()),
        IgnoreRule(("/data",), "generated", (), ("settings",)),
    ]
    assert ignore_rules(Target("k", "config", ("*",))) == []


@pytest.mark.parametrize("live, env, relative", [
    ("live/{env}/k8s", "prod", "live/prod/k8s"),
    ("live/{env}/{env}.yaml", "dev", "live/dev/dev.yaml"),
    ("live/{env}", None, "live/"),
    ("/srv/compose/compose.yaml", "prod", "/srv/compose/compose.yaml"),
], ids=["env", "twice", "no-env", "absolute"])
def test_live_root(tmp_path: Path, live: str, env: str | None, relative: str) -> None:
    config = config_free(tmp_path)
    root, display = live_root(config, Target("t", "config", ("*",), live=live), env)
    assert (root, display) == (tmp_path.resolve() / relative, relative)


def test_parse_finding() -> None:
    finding = parse_finding(ParseError("invalid YAML: x", "live/a.yaml", 3, 4), "live/a.yaml", "prod")
    assert (finding.rule, finding.severity, finding.message, finding.target, finding.path, finding.file,
            finding.line, finding.column, finding.environment) == (
        "input.parse", Severity.HIGH, "invalid YAML: x", "live/a.yaml", "", "live/a.yaml", 3, 4, "prod")


@pytest.fixture
def live(tmp_path: Path) -> Path:
    root = tmp_path / "live"
    _put(root, "a.yaml", "a: 1\n")
    _put(root, "sub dir/ü.json", '{"b": 2}')
    _put(root, "broken.yaml", "a: [\n")
    _put(root, "two.yaml", "x: 1\n---\ny: 2\n")
    _put(root, "notes.txt", "not a known format\n")
    return root


def test_load_tree_of_a_directory(tmp_path: Path, live: Path) -> None:
    trees = load_tree(live, "live/prod", config_free(tmp_path), "prod")
    assert [(side.rel, [doc.data for doc in side.documents]) for side in trees.live] == [
        ("a.yaml", [{"a": 1}]), ("two.yaml", [{"x": 1}, {"y": 2}]), ("sub dir/ü.json", [{"b": 2}])]
    assert trees.read == {"a.yaml": 1, "two.yaml": 2, "sub dir/ü.json": 1}
    assert trees.unreadable == {"broken.yaml"}
    assert [(f.rule, f.file, f.line, f.environment) for f in trees.findings] == [
        ("input.parse", "live/prod/broken.yaml", 2, "prod")]
    source = trees.live[2].documents[0].source
    assert (source.file, source.name, source.root, source.path) == (
        "live/prod/sub dir/ü.json", "sub dir/ü.json", live.resolve(), live.resolve() / "sub dir" / "ü.json")


def test_load_tree_of_one_file(tmp_path: Path, live: Path) -> None:
    trees = load_tree(live / "two.yaml", "live/two.yaml", config_free(tmp_path))
    assert [(side.rel, len(side.documents)) for side in trees.live] == [("two.yaml", 2)]
    source = trees.live[0].documents[0].source
    assert (source.file, source.root, source.path) == ("live/two.yaml", live.resolve(), live.resolve() / "two.yaml")


def test_load_tree_of_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_tree(tmp_path / "nope", "live/nope", config_free(tmp_path))
    assert str(caught.value) == "live/nope: live path not found"


def test_a_fifo_in_the_live_tree_is_a_note_never_opened(tmp_path: Path, live: Path) -> None:
    os.mkfifo(live / "pipe.yaml")
    trees = load_tree(live, "live", config_free(tmp_path), "dev")
    notes = [(f.rule, f.severity, f.message, f.target, f.file) for f in trees.findings if f.rule != "input.parse"]
    assert notes == [("input.not-regular", Severity.INFO, "a FIFO, not a regular file: skipped", "live/pipe.yaml",
                      "live/pipe.yaml")]


def test_an_escaping_symlink_in_the_live_tree_is_refused(tmp_path: Path, live: Path) -> None:
    _put(tmp_path, "secret.yaml", "token: x\n")
    (live / "leak.yaml").symlink_to("../secret.yaml")
    with pytest.raises(InputError) as caught:
        load_tree(live, "live", config_free(tmp_path))
    assert caught.value.file == "live/leak.yaml"


def test_a_part_keeps_only_its_documents_and_counts_them_all(tmp_path: Path, live: Path) -> None:
    part = Part(keeps=lambda doc, rel: isinstance(doc.data, dict) and "y" in doc.data, reports=lambda file: False)
    trees = load_tree(live, "live", config_free(tmp_path), part=part)
    assert [(side.rel, [doc.data for doc in side.documents]) for side in trees.live] == [("two.yaml", [{"y": 2}])]
    assert trees.read == {"a.yaml": 1, "two.yaml": 2, "sub dir/ü.json": 1}


def _docs(name: str, text: str) -> list:
    return load_text(text, file=f"templates/{name}", name=name, fmt="yaml").documents


def test_target_trees_pair_below_each_base(tmp_path: Path) -> None:
    _put(tmp_path, "live/prod/k8s/app/deploy.yaml", "a: 1\n")
    config = config_free(tmp_path)
    target = Target("k", "kubernetes", ("k8s/**/*.yaml", "extra/*.yaml"), live="live/{env}/k8s")
    desired = [("k8s/app/deploy.yaml", _docs("k8s/app/deploy.yaml", "a: 2\n")),
               ("extra/x.yaml", _docs("extra/x.yaml", "x: 1\n")),
               ("config/app.yaml", _docs("config/app.yaml", "c: 1\n"))]  # not this target's
    trees = target_trees(config, target, "prod", desired)
    assert [side.rel for side in trees.desired] == ["app/deploy.yaml", "x.yaml"]
    assert [side.rel for side in trees.live] == ["app/deploy.yaml"]


def test_a_single_desired_file_pairs_with_a_single_live_file_whatever_the_names(tmp_path: Path) -> None:
    _put(tmp_path, "host/compose.override.yml", "services: {}\n")
    target = Target("c", "compose", ("compose/compose.yaml",), live="host/compose.override.yml")
    desired = [("compose/compose.yaml", _docs("compose/compose.yaml", "services: {}\n"))]
    trees = target_trees(config_free(tmp_path), target, None, desired)
    assert [side.rel for side in trees.desired] == ["compose.override.yml"]
    assert [side.rel for side in trees.live] == ["compose.override.yml"]
