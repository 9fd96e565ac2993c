"""Secret values never reach any output, even when they are the value a finding is about."""
from __future__ import annotations

from pathlib import Path

import pytest

SECRETS = ["8e1f3c0ffee9d4", "hunter2-prod-pw", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z", "s3cr3tPassw0rd", "424242424242"]

SECRET_MANIFEST = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: 424242424242
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1.0.0
          env:
            - name: DB_PASSWORD
              value: hunter2-prod-pw
              bogus: 8e1f3c0ffee9d4
            - name: GITHUB
              value: ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z
              extra: ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z
"""
APP_CONFIG = "database:\n  url: postgres://app:s3cr3tPassw0rd@db:5432/app\n  password: 8e1f3c0ffee9d4\n"
APP_SCHEMA = '{"properties": {"database": {"properties": {"url": {"type": "integer"}, "password": {"type": "integer"}}}}}'


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_in_any_output(trueup, write, tmp_path: Path, fmt: str) -> None:
    manifest = write("k8s.yaml", SECRET_MANIFEST)
    config = write("app.yaml", APP_CONFIG)
    write("app.schema.json", APP_SCHEMA)
    write("dup.yaml", "token: 8e1f3c0ffee9d4\ntoken: hunter2-prod-pw\n")
    write("compose.yaml", "services:\n  db:\n    image: db:1.0.0\n    environment:\n      - DB_PASSWORD=s3cr3tPassw0rd\n"
          "      - DSN=postgres://u:424242424242@db/x\n")
    result = trueup(
        "validate", "--strict", "--format", fmt, "--schema", tmp_path / "app.schema.json",
        manifest, config, tmp_path / "dup.yaml", tmp_path / "compose.yaml", cwd=tmp_path,
    )
    assert result.code == 1
    everything = result.out + result.err
    assert "stringData" in everything or "expected string" in everything
    assert "COMPOSE-ENV-PLAINTEXT-SECRET" in everything and "SECRET-URL-CREDENTIALS" in everything
    for secret in SECRETS:
        assert secret not in everything
    if fmt == "json":
        findings = result.json()["findings"]
        masked = {f["path"]: f["desired"] for f in findings}
        assert masked["/stringData/password"] == "********"
        assert masked["/database/url"] == "********"
        assert masked["/database/password"] == "********"
        assert masked["/spec/template/spec/containers/0/env/0/bogus"] == "********"
        assert masked["/spec/template/spec/containers/0/env/1/extra"] == "********"


HIDDEN = ("s3cr3t-a", "hunter2-b", "t0k3n-c", "pa/ss+w=d")


def test_secrets_inside_strings_and_argument_lists_never_print(trueup, write, tmp_path) -> None:
    """URL credentials without a user or with /, + and = in the password, NAME=value in a script a
    ConfigMap holds, and the argument after --password/--token in compose and Kubernetes args."""
    import base64

    compose = ("services:\n  api:\n    image: app:1.0\n    command: [serve, --token, {tok}, --port, '80']\n"
               "    environment:\n      CACHE: 'redis://:{a}@cache:6379/0'\n      DB: 'postgres://app:{d}@db/shop'\n")
    configmap = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: job, namespace: shop}}\ndata:\n"
                 "  run.sh: |\n    export PGPASSWORD={b}\n    psql -h db\n")
    for side, suffix in (("d", ""), ("l", "-old")):
        values = {k: v + suffix for k, v in zip(("a", "b", "tok", "d"), HIDDEN)}
        write(f"{side}/compose.yaml", compose.format(**values))
        write(f"{side}/job.yaml", configmap.format(**values))
    everything = ""
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github", "html"):
        result = trueup("drift", "--desired", "d", "--live", "l", "--format", fmt, cwd=tmp_path)
        assert result.code == 1, (fmt, result.err)
        everything += result.out + result.err
    for value in HIDDEN:
        for shown in (value, value + "-old"):
            assert shown not in everything, shown
            assert base64.b64encode(shown.encode()).decode() not in everything, shown
