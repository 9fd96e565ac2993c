"""The built-in packs and each rule's own fixtures (``tests/example-files/policy/<pack>/<RULE-ID>.yaml``)."""
from __future__ import annotations

import yaml

from conftest import EXAMPLES
from trueup.policy.packs import builtin_dir, load_pack

FIXTURES = EXAMPLES / "policy"
PACKS = {p.stem: load_pack(p, p.name) for p in sorted(builtin_dir().glob("*.yaml"))}
ALL_RULES = {rule.id: (pack, rule) for pack, rules in PACKS.items() for rule in rules}


def fixture(pack: str, rule_id: str) -> dict:
    """``fail`` cases (a text and the exact [line, pointer, message] findings it gives) and ``pass``
    texts (which give none)."""
    return yaml.safe_load((FIXTURES / pack / f"{rule_id}.yaml").read_text())
