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


TRAVELLING = {"db_password": "Hunter2-Sekret", "api_token": "tok_abcdef123456"}
OLD_LIVE = "oldpass-0451"

TRAVEL_CONFIG = """\
version: 1
environments:
  prod:
    values: [values.yaml]
targets:
  - {name: app, kind: kubernetes, desired: "*.yaml", live: "live"}
policy: {packs: []}
audit: {enabled: true}
"""
TRAVEL_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  greeting: "connect using {{ db_password }} please"
  script: |
    #!/bin/sh
    psql -h db "user=app sslmode=require" < /dev/null # {{ db_password }}
  encoded: "{{ api_token | b64encode }}"
  replicas: "{{ replicas }}"
"""
TRAVEL_LIVE = f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: app, namespace: shop}}
data:
  greeting: "connect using {OLD_LIVE} please"
  script: |
    #!/bin/sh
    psql -h db "user=app sslmode=require" < /dev/null # {OLD_LIVE}
  encoded: "b2xk"
  replicas: "2"
---
apiVersion: v1
kind: Secret
metadata: {{name: app, namespace: shop}}
stringData: {{old: {OLD_LIVE}}}
"""


def _everything_says(out: str, values: list[str]) -> list[str]:
    import base64

    return [v for v in values for form in (v, base64.b64encode(v.encode()).decode()) if form in out]


def test_values_a_template_writes_into_other_strings_are_masked_everywhere(trueup, write, tmp_path: Path) -> None:
    """A values file's secret written by a template into a ConfigMap's text, a script's comment,
    or base64-encoded, and a live Secret's value found in a live ConfigMap: masked in every
    format, the fix dry run, preview and the audit log."""
    write("trueup.yaml", TRAVEL_CONFIG)
    write("values.yaml", "".join(f"{k}: {v}\n" for k, v in TRAVELLING.items()) + "replicas: 3\n")
    write("templates/cm.yaml.j2", TRAVEL_TEMPLATE)
    write("live/cm.yaml", TRAVEL_LIVE)
    hidden = [*TRAVELLING.values(), OLD_LIVE]
    everything = ""
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github", "html"):
        result = trueup("check", "--env", "prod", "--format", fmt, cwd=tmp_path)
        assert result.code == 1, (fmt, result.err)
        everything += result.out + result.err
    assert '"replicas"' in everything or "/data/replicas" in everything  # the ordinary change is shown
    dry = trueup("fix", cwd=tmp_path)
    assert "would fix live/cm.yaml (4 values): secret values masked\n" in dry.out
    assert '-  replicas: "2"\n' in dry.out and '+  replicas: "3"\n' in dry.out  # shown, its secrets masked
    everything += dry.out + dry.err
    everything += (tmp_path / ".trueup/audit.jsonl").read_text()
    assert _everything_says(everything, hidden) == []


def test_preview_masks_a_secret_value_a_template_interpolates(trueup, write, tmp_path: Path) -> None:
    import subprocess

    write("trueup.yaml", TRAVEL_CONFIG.replace("audit: {enabled: true}\n", ""))
    write("values.yaml", "db_password: Hunter2-Sekret\napi_token: tok_abcdef123456\nreplicas: 3\n")
    write("templates/cm.yaml.j2", TRAVEL_TEMPLATE)
    write("live/cm.yaml", TRAVEL_LIVE)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=tmp_path, check=True)
    write("values.yaml", "db_password: Rotated-Sekret-2\napi_token: tok_abcdef123456\nreplicas: 3\n")
    everything = ""
    for fmt in ("text", "json", "markdown"):
        result = trueup("preview", "--base", "main", "--format", fmt, cwd=tmp_path)
        assert result.code in (0, 1), result.err
        everything += result.out + result.err
    assert "/data/greeting" in everything or "greeting" in everything
    assert _everything_says(everything, ["Hunter2-Sekret", "Rotated-Sekret-2", "tok_abcdef123456"]) == []
