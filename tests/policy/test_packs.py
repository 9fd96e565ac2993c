"""Every built-in rule against its own fixtures: each failing text gives exactly the golden findings
(line, pointer and message), each passing text none; a pack's good objects pass every rule of the pack."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_fixtures import ALL_RULES, FIXTURES, PACKS, fixture
from trueup.policy.packs import Policy, builtin_dir, load_pack

FILE_NAMES = {"compose": "compose.yaml", "secrets": "settings.yaml"}


FAILS = [(pack, rule_id, i, case) for rule_id, (pack, _) in sorted(ALL_RULES.items())
         for i, case in enumerate(fixture(pack, rule_id)["fail"])]
PASSES = [(pack, rule_id, i, text) for rule_id, (pack, _) in sorted(ALL_RULES.items())
          for i, text in enumerate(fixture(pack, rule_id)["pass"])]


def _findings(trueup, tmp_path: Path, pack: str, text: str | dict, rule_id: str | None = None) -> list[dict]:
    """``text``: the file's text, or {file, text, beside} for a file that needs its own name or
    files beside it (``beside``: name to text, a compose project's ``.env``)."""
    for other, content in (text.get("beside") or {}).items() if isinstance(text, dict) else ():
        (tmp_path / other).write_text(content)
    name, text = _named(pack, text)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = trueup("validate", "--no-strict", "--profile", "strict", "--format", "json", path, cwd=tmp_path)
    assert result.code in (0, 1), result.out + result.err
    return [f for f in result.json()["findings"] if rule_id is None or f["rule"] == rule_id]


def _named(pack: str, text: str | dict) -> tuple[str, str]:
    if isinstance(text, dict):
        return text.get("file") or FILE_NAMES.get(pack, "manifest.yaml"), text["text"]
    return FILE_NAMES.get(pack, "manifest.yaml"), text


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_builtin_packs_pass_the_checks_user_packs_get(pack: str) -> None:
    """Built-in packs load unchecked at run time, so they are checked here, as a user's pack is."""
    path = builtin_dir() / f"{pack}.yaml"
    checked = load_pack(path, path.name, trusted=False)
    assert [(r.id, r.schema, r.selects) for r in checked] == [(r.id, r.schema, r.selects) for r in PACKS[pack]]


def test_every_rule_has_its_own_fixtures_and_no_fixture_is_left_over() -> None:
    for pack in PACKS:
        files = {p.stem for p in (FIXTURES / pack).glob("*.yaml") if not p.stem.startswith("_")}
        assert files == {r.id for r in PACKS[pack]}, pack
    assert all(fixture(pack, rule_id)["fail"] and fixture(pack, rule_id)["pass"] for rule_id, (pack, _) in ALL_RULES.items())
    assert len(ALL_RULES) >= 35


@pytest.mark.parametrize("pack, rule_id, index, case", FAILS, ids=[f"{c[1]}-{c[2]}" for c in FAILS])
def test_failing_fixture_gives_exactly_the_expected_findings(trueup, tmp_path: Path, pack: str, rule_id: str,
                                                             index: int, case: dict) -> None:
    found = _findings(trueup, tmp_path, pack, case["text"], rule_id)
    assert sorted([f["line"], f["path"], f["message"]] for f in found) == sorted(case["expect"])
    assert {f["severity"] for f in found} == {str(ALL_RULES[rule_id][1].severity)}


@pytest.mark.parametrize("pack, rule_id, index, text", PASSES, ids=[f"{c[1]}-{c[2]}" for c in PASSES])
def test_passing_fixture_gives_none(trueup, tmp_path: Path, pack: str, rule_id: str, index: int, text: str) -> None:
    assert _findings(trueup, tmp_path, pack, text, rule_id) == []


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_good_objects_pass_the_whole_pack(trueup, tmp_path: Path, pack: str) -> None:
    good = yaml.safe_load((FIXTURES / pack / "_good.yaml").read_text())["good"]
    pack_rules = {r.id for r in PACKS[pack]}
    for text in good:
        assert [f["rule"] for f in _findings(trueup, tmp_path, pack, text) if f["rule"] in pack_rules] == []


def test_policy_runs_only_matching_rules() -> None:
    assert {r.id for r in Policy(PACKS["compose"]).rules} == {r.id for r in PACKS["compose"]}


@pytest.mark.parametrize("rule_id", sorted(ALL_RULES))
def test_every_fixture_text_is_well_formed(rule_id: str) -> None:
    """A pass text that does not parse would pass for the wrong reason."""
    from trueup.load import load_text

    pack = ALL_RULES[rule_id][0]
    case = fixture(pack, rule_id)
    for text in [c["text"] for c in case["fail"]] + case["pass"]:
        name, text = _named(pack, text)
        fmt = "json" if name.endswith(".json") else "yaml"
        assert load_text(text, file=rule_id, name=name, fmt=fmt).documents


def _seen(rules: list) -> list[tuple]:
    return [(r.id, r.source, r.schema, r.severity, r.kinds, r.selects) for r in rules]


@pytest.mark.parametrize("pack", PACKS)
def test_a_built_in_pack_is_parsed_once_then_read_from_the_cache(pack: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import trueup.policy.packs as packs

    path = builtin_dir() / f"{pack}.yaml"
    display = f"trueup:checks/{pack}.yaml"
    uncached = load_pack(path, display, trusted=True)
    first = load_pack(path, display, trusted=True, cache=tmp_path)
    [entry] = (tmp_path / "packs").iterdir()
    monkeypatch.setattr(packs, "load_text", lambda *a, **k: pytest.fail("parsed again"))
    second = load_pack(path, display, trusted=True, cache=tmp_path)
    assert _seen(second) == _seen(first) == _seen(uncached)
    assert all(r.source.startswith(f"{display}:") and r.source.split(":")[-1].isdigit() for r in second)
    entry.write_bytes(b"not marshal data")  # a damaged entry is parsed again, not trusted
    monkeypatch.undo()
    assert _seen(load_pack(path, display, trusted=True, cache=tmp_path)) == _seen(uncached)


def test_a_changed_pack_is_not_read_from_an_old_entry(tmp_path: Path) -> None:
    original = (builtin_dir() / "compose.yaml").read_text(encoding="utf-8")
    pack = tmp_path / "compose.yaml"
    pack.write_text(original, encoding="utf-8")
    before = load_pack(pack, "p", trusted=True, cache=tmp_path / "cache")
    pack.write_text(original.replace("severity: high", "severity: low", 1), encoding="utf-8")
    after = load_pack(pack, "p", trusted=True, cache=tmp_path / "cache")
    assert [r.severity for r in before] != [r.severity for r in after]
    assert len(list((tmp_path / "cache" / "packs").iterdir())) == 2


@pytest.mark.parametrize("text, message", [
    ("pack: p\npack: q\nrules: []\n", "duplicate"),
    ("pack: [\n", "invalid YAML"),
    ("", "check pack is empty"),
])
def test_a_broken_built_in_pack_is_a_config_error_cache_or_not(text: str, message: str, tmp_path: Path) -> None:
    from trueup.errors import ConfigError

    pack = tmp_path / "broken.yaml"
    pack.write_text(text, encoding="utf-8")
    for cache in (None, tmp_path / "cache"):
        with pytest.raises(ConfigError, match=message):
            load_pack(pack, "broken.yaml", trusted=True, cache=cache)


def test_the_rules_that_apply_are_those_each_rule_says_apply() -> None:
    """Policy.applicable remembers per kind which rules may apply; it must give exactly what asking
    every rule gives, for rules that name files or objects too, and for documents of odd shapes."""
    from trueup.load import load_text
    from trueup.policy.packs import Policy, load_policy, settings_from_config

    from conftest import REPO

    policy = load_policy(settings_from_config({"profile": "strict"}), REPO)
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-proxy-x, namespace: kube-system}\n---\n"
            "apiVersion: [v1]\nkind: {odd: 1}\n---\n"
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\n- 1\n")
    docs = [*load_text(text, file="k8s/a.yaml", name="k8s/a.yaml", fmt="yaml", kind="kubernetes").documents,
            *load_text("services: {web: {image: x}}\n", file="compose.yaml", name="compose.yaml", fmt="yaml").documents]
    fresh = Policy(policy.rules)
    for doc in [*docs, *docs]:  # the second time from what the first remembered
        assert [r.id for r in fresh.applicable(doc)] == [r.id for r in policy.rules if r.applies(doc)]
    assert any(r.by_name for r in policy.rules)
