"""validate/kubernetes.py: schema versions, file names per apiVersion and kind, and the per-version validators."""
from __future__ import annotations

import pytest

from trueup.errors import SchemaError
from trueup.validate.kubernetes import (
    KubernetesSchemas,
    available_versions,
    resolve_version,
    schema_file_name,
    schema_root,
)

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"a": "b"}},
             "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}},
}


def test_available_versions_are_the_schema_tree_directories_sorted() -> None:
    versions = available_versions()
    on_disk = sorted({tuple(int(n) for n in p.name[1:].split("-")[0].split(".")[:2])
                      for p in schema_root().iterdir() if p.name.endswith("-local")})
    assert versions == on_disk
    assert versions == sorted(versions) and len(versions) >= 2


@pytest.mark.parametrize("requested, expected", [
    ("1.29", (1, 29)), ("v1.29.3", (1, 29)), (" 1.30 ", (1, 30)),
], ids=["major-minor", "v-prefix-and-patch", "blanks"])
def test_resolve_version(requested: str, expected: tuple[int, int]) -> None:
    assert expected in available_versions()
    assert resolve_version(requested) == expected


def test_resolve_version_defaults_to_the_newest() -> None:
    assert resolve_version(None) == available_versions()[-1]


@pytest.mark.parametrize("requested, message", [
    ("abc", "Kubernetes version 'abc' is not MAJOR.MINOR"),
    ("1", "Kubernetes version '1' is not MAJOR.MINOR"),
    ("1.99", "no Kubernetes 1.99 schemas here (available: {lo} to {hi})"),
    ("0.1", "no Kubernetes 0.1 schemas here (available: {lo} to {hi})"),
], ids=["words", "major-only", "too-new", "too-old"])
def test_resolve_version_refuses(requested: str, message: str) -> None:
    (la, lb), (ha, hb) = available_versions()[0], available_versions()[-1]
    with pytest.raises(SchemaError) as caught:
        resolve_version(requested)
    assert caught.value.cause == message.format(lo=f"{la}.{lb}", hi=f"{ha}.{hb}")


@pytest.mark.parametrize("api_version, kind, expected", [
    ("apps/v1", "Deployment", "deployment-apps-v1.json"),
    ("v1", "Pod", "pod-v1.json"),
    ("networking.k8s.io/v1", "Ingress", "ingress-networking-v1.json"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterrole-rbac-v1.json"),
    ("batch/v1beta1", "CronJob", "cronjob-batch-v1beta1.json"),
    ("example.com/v1", "Widget", None),
    ("a.b/v1", "X", None),
], ids=["group", "core", "k8s-io-group", "dotted-k8s-io", "beta", "custom", "custom-short"])
def test_schema_file_name(api_version: str, kind: str, expected: str | None) -> None:
    assert schema_file_name(api_version, kind) == expected


@pytest.mark.parametrize("strict, label, directory", [
    (False, "Kubernetes 1.29", "v1.29.0-local"),
    (True, "Kubernetes 1.29 strict", "v1.29.0-local-strict"),
], ids=["default", "strict"])
def test_label_and_directory(strict: bool, label: str, directory: str) -> None:
    schemas = KubernetesSchemas("1.29", strict)
    assert (schemas.version, schemas.label, schemas.directory.name) == ((1, 29), label, directory)


def test_validators_are_compiled_once_and_judge_objects() -> None:
    schemas = KubernetesSchemas("1.29", False)
    validator = schemas.validator("apps/v1", "Deployment")
    assert validator is not None and schemas.validator("apps/v1", "Deployment") is validator
    assert validator.is_valid(DEPLOYMENT) is True
    bad = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": "3"}}
    assert [(list(e.absolute_path), e.message) for e in validator.iter_errors(bad)] == [
        (["spec", "replicas"], "'3' is not of type 'integer', 'null'")]


def test_strict_schemas_refuse_unknown_fields() -> None:
    extra = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "bogus": 1}}
    assert KubernetesSchemas("1.29", False).validator("apps/v1", "Deployment").is_valid(extra) is True
    assert KubernetesSchemas("1.29", True).validator("apps/v1", "Deployment").is_valid(extra) is False


@pytest.mark.parametrize("api_version, kind", [("example.com/v1", "Widget"), ("apps/v1", "Nope")],
                         ids=["custom-group", "unknown-kind"])
def test_no_validator_without_a_schema_file(api_version: str, kind: str) -> None:
    schemas = KubernetesSchemas("1.29", False)
    assert (schemas.validator(api_version, kind), schemas.quick(api_version, kind)) == (None, None)


def test_definitions_are_read_once() -> None:
    schemas = KubernetesSchemas("1.29", False)
    definitions = schemas.definitions()
    assert schemas.definitions() is definitions
    assert "io.k8s.api.apps.v1.Deployment" in definitions["$defs"]
