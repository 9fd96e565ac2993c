"""policy/crossfile/accounts.py: K8S-AUTOMOUNT-SA-TOKEN and K8S-ADMIN-EQUIVALENT-BINDING, references followed."""
from __future__ import annotations

import pytest

from trueup.model import Severity
from trueup.policy.crossfile import WHOLE, accounts

from .conftest import found, load, rule_of


def test_the_rules() -> None:
    token, binding = rule_of(accounts.automount_token), rule_of(accounts.admin_equivalent_binding)
    assert (token.id, token.severity, token.complete, token.profile) == (
        "K8S-AUTOMOUNT-SA-TOKEN", Severity.INFO, False, "strict")
    assert (binding.id, binding.severity, binding.complete, binding.profile) == (
        "K8S-ADMIN-EQUIVALENT-BINDING", Severity.HIGH, False, "minimal")
    assert token.peers == {"polaris": ("automountServiceAccountToken",), "checkov": ("CKV_K8S_38",)}


def _pod(spec: str, ns: str = "") -> str:
    meta = "metadata: {name: p" + (f", namespace: {ns}" if ns else "") + "}"
    return f"apiVersion: v1\nkind: Pod\n{meta}\nspec:\n{spec}"


def _account(automount: str, name: str = "default", ns: str = "") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + "}"
    return f"apiVersion: v1\nkind: ServiceAccount\n{meta}\nautomountServiceAccountToken: {automount}\n"


CONTAINERS = "  containers: [{name: c, image: 'x:1'}]\n"


def _not_set(account: str = "default", line: int = 4, pointer: str = "/spec") -> tuple:
    return ("f0.yaml", line, pointer,
            f'the pod does not set automountServiceAccountToken: false, nor does its ServiceAccount "{account}"')


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param([_pod(CONTAINERS)], [_not_set()], id="nothing-set-default-account"),
        pytest.param([_pod("  automountServiceAccountToken: false\n" + CONTAINERS)], [], id="pod-opts-out"),
        pytest.param([_pod("  automountServiceAccountToken: true\n" + CONTAINERS)],
                     [("f0.yaml", 5, "/spec/automountServiceAccountToken", "automountServiceAccountToken is true")],
                     id="pod-opts-in"),
        pytest.param([_pod("  automountServiceAccountToken: 'false'\n" + CONTAINERS)],
                     [("f0.yaml", 5, "/spec/automountServiceAccountToken", 'automountServiceAccountToken is "false"')],
                     id="false-as-text-is-not-false"),
        pytest.param([_pod("  automountServiceAccountToken:\n" + CONTAINERS)],
                     [_not_set(line=5, pointer="/spec/automountServiceAccountToken")], id="written-with-no-value"),
        pytest.param([_pod(CONTAINERS), _account("false")], [], id="default-account-opts-out"),
        pytest.param([_pod(CONTAINERS), _account("true")], [_not_set()], id="default-account-opts-in"),
        pytest.param([_pod("  automountServiceAccountToken: true\n" + CONTAINERS), _account("false")],
                     [("f0.yaml", 5, "/spec/automountServiceAccountToken", "automountServiceAccountToken is true")],
                     id="pod-wins-over-account"),
        pytest.param([_pod("  serviceAccountName: build\n" + CONTAINERS), _account("false", "build")], [],
                     id="named-account-opts-out"),
        pytest.param([_pod("  serviceAccountName: build\n" + CONTAINERS), _account("false")], [_not_set("build")],
                     id="other-account-opts-out"),
        pytest.param([_pod("  serviceAccount: build\n" + CONTAINERS), _account("false", "build")], [],
                     id="deprecated-field"),
        pytest.param([_pod(CONTAINERS, ns="shop"), _account("false")], [_not_set()], id="account-in-other-namespace"),
        pytest.param([_pod(CONTAINERS, ns="shop"), _account("false", ns="shop")], [], id="account-in-same-namespace"),
        pytest.param(["apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n"], [], id="spec-a-list"),
        pytest.param(["apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}}\n"], [],
                     id="not-a-pod"),
    ],
)
def test_automount_token(texts: list[str], expected: list[tuple]) -> None:
    assert found(accounts.automount_token, {f"f{i}.yaml": t for i, t in enumerate(texts)}) == expected


def test_automount_token_points_into_each_kinds_pod_spec() -> None:
    cronjob = ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n"
               "    spec:\n      template:\n        spec:\n          automountServiceAccountToken: true\n")
    assert found(accounts.automount_token, {"f0.yaml": cronjob}) == [
        ("f0.yaml", 9, "/spec/jobTemplate/spec/template/spec/automountServiceAccountToken",
         "automountServiceAccountToken is true")]


def _role(kind: str, rules: str, name: str = "super", ns: str = "") -> str:
    meta = f"metadata: {{name: {name}" + (f", namespace: {ns}" if ns else "") + "}"
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n{meta}\nrules: {rules}\n"


def _binding(kind: str, ref_kind: str, ref_name: str = "super", name: str = "b", ns: str = "") -> str:
    meta = f"metadata: {{name: '{name}'" + (f", namespace: {ns}" if ns else "") + "}"
    return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n{meta}\n"
            f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {ref_kind}, name: '{ref_name}'}}\n"
            "subjects: [{kind: User, name: alice}]\n")


ALL = "[{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]"
ALL_VERBS = "[{apiGroups: ['*'], resources: ['*'], verbs: [get, list, watch, create, update, patch, delete]}]"


def _grants(kind: str = "ClusterRole", name: str = "super") -> tuple:
    return ("f1.yaml", 4, "/roleRef", f'the binding grants {kind} "{name}", which allows every verb on every resource '
                                      "(cluster-admin in all but name)")


@pytest.mark.parametrize(
    ("role", "binding", "expected"),
    [
        pytest.param(_role("ClusterRole", ALL), _binding("ClusterRoleBinding", "ClusterRole"), [_grants()],
                     id="cluster-binding-star"),
        pytest.param(_role("ClusterRole", ALL_VERBS), _binding("ClusterRoleBinding", "ClusterRole"), [_grants()],
                     id="every-verb-spelled-out"),
        pytest.param(_role("ClusterRole", ALL_VERBS.replace(", delete", "")),
                     _binding("ClusterRoleBinding", "ClusterRole"), [], id="one-verb-short"),
        pytest.param(_role("ClusterRole", "[{apiGroups: ['*'], resources: [pods], verbs: ['*']}]"),
                     _binding("ClusterRoleBinding", "ClusterRole"), [], id="one-resource"),
        pytest.param(_role("ClusterRole", "[{apiGroups: [''], resources: ['*'], verbs: ['*']}]"),
                     _binding("ClusterRoleBinding", "ClusterRole"), [], id="core-group-only"),
        pytest.param(_role("ClusterRole", f"[read-only, {ALL[1:-1]}]"), _binding("ClusterRoleBinding", "ClusterRole"),
                     [_grants()], id="an-entry-that-is-not-a-mapping-skipped"),
        pytest.param(_role("ClusterRole", "[{apiGroups: ['*'], resources: ['*']}]"),
                     _binding("ClusterRoleBinding", "ClusterRole"), [], id="no-verbs"),
        pytest.param(_role("ClusterRole", "null"), _binding("ClusterRoleBinding", "ClusterRole"), [], id="no-rules"),
        pytest.param(_role("ClusterRole", ALL), _binding("RoleBinding", "ClusterRole"), [_grants()],
                     id="rolebinding-to-clusterrole"),
        pytest.param(_role("Role", ALL, ns="shop"), _binding("RoleBinding", "Role", ns="shop"), [_grants("Role")],
                     id="rolebinding-to-role-same-namespace"),
        pytest.param(_role("Role", ALL, ns="shop"), _binding("RoleBinding", "Role"), [], id="role-in-other-namespace"),
        pytest.param(_role("Role", ALL), _binding("ClusterRoleBinding", "Role"), [], id="clusterrolebinding-to-role"),
        pytest.param(_role("ClusterRole", ALL), _binding("ClusterRoleBinding", "ClusterRole", ref_name="other"), [],
                     id="role-not-in-the-files"),
        pytest.param(_role("ClusterRole", ALL, name="cluster-admin"),
                     _binding("ClusterRoleBinding", "ClusterRole", ref_name="cluster-admin"), [],
                     id="cluster-admin-is-another-rules"),
        pytest.param(_role("ClusterRole", ALL), _binding("ClusterRoleBinding", "ClusterRole", name="system:masters"),
                     [], id="system-binding"),
        pytest.param(_role("ClusterRole", ALL),
                     "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\n"
                     "roleRef: super\n", [], id="roleref-a-string"),
    ],
)
def test_admin_equivalent_binding(role: str, binding: str, expected: list[tuple]) -> None:
    assert found(accounts.admin_equivalent_binding, {"f0.yaml": role, "f1.yaml": binding}) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"p.yaml": _pod(CONTAINERS)}, WHOLE, id="pod"),
        pytest.param({"a.yaml": _account("false")}, WHOLE, id="serviceaccount"),
        pytest.param({"r.yaml": _role("Role", ALL)}, WHOLE, id="role"),
        pytest.param({"b.yaml": _binding("ClusterRoleBinding", "ClusterRole")}, WHOLE, id="binding"),
        pytest.param({"c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}, None, id="configmap"),
        pytest.param({"compose.yaml": "services: {a: {image: x}}\n"}, None, id="compose"),
    ],
)
def test_what_the_rules_keep(files: dict[str, str], expected: str | None) -> None:
    (doc,) = load(files)
    assert rule_of(accounts.automount_token).keeps(doc, {}) == expected
    assert rule_of(accounts.admin_equivalent_binding).keeps(doc, {}) == expected
