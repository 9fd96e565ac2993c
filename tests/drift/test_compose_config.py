"""A live compose file written by ``docker compose config`` against the hand-written file it came
from: equal where compose only normalised (the case directories), exactly one finding where
something really changed (each ``*-changed`` twin), and the patch for that finding removes it.

Fixtures: ``tests/example-files/drift/compose-config/<case>/{desired,live}/``; each live file
names, in its ``# source:`` line, where its shape comes from (docker/compose e2e tests,
compose-go types and loader tests).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import EXAMPLES
from trueup.load.compose_interpolate import Refused, Tokens, parse_dotenv, read_project_file
from trueup.load.compose_syntax import SplitError, parse_ports, split_words
from trueup.drift.compose_units import parse_bytes, parse_cpus, parse_duration

CASES = EXAMPLES / "drift" / "compose-config"
EQUAL = ["build", "command", "env-file", "interpolation", "ports", "project", "restart", "units", "volumes"]
# twin -> (rule, path, desired, live) of its one finding
TWINS: dict[str, tuple[str, str, Any, Any]] = {
    "build-changed": ("drift.changed", "/services/web/build/dockerfile", "Dockerfile.prod", "Dockerfile"),
    "build-context-changed": ("drift.changed", "/services/web/build/context", "./api", "/srv/shop/web"),
    "command-changed": ("drift.changed", "/services/web/command/4", "3001", "3000"),
    "env-file-changed": ("drift.changed", "/services/web/environment/CACHE_TTL", "600", "300"),
    "interpolation-changed": ("drift.changed", "/services/web/image", "ghcr.io/example/shop-web:2.4.1",
                              "ghcr.io/example/shop-web:2.4.0"),
    "networks-changed": ("drift.missing", "/services/web/networks", {"default": {"aliases": ["shop-web"]}}, None),
    "ports-changed": ("drift.changed", "/services/web/ports/2/mode", "host", "ingress"),
    "project-changed": ("drift.changed", "/name", "shop-staging", "shop"),
    "restart-changed": ("drift.missing", "/services/web/restart", "unless-stopped", None),
    "units-changed": ("drift.changed", "/services/db/shm_size", 134217728, 67108864),
    "volumes-changed": ("drift.missing", "/services/db/volumes/1", True, None),
}

Run = Callable[..., Any]


def drift(trueup: Run, desired: Path, live: Path, *extra: str) -> tuple[int, list[dict]]:
    result = trueup("drift", "--desired", desired, "--live", live, "--format", "json", "--no-blame", *extra)
    return result.code, result.json()["findings"]


def test_every_case_is_listed_and_every_live_file_names_its_source() -> None:
    assert sorted(p.name for p in CASES.iterdir()) == sorted([*EQUAL, *TWINS])
    for case in CASES.iterdir():
        assert (case / "live" / "compose.yaml").read_text().startswith("# source: "), case.name


@pytest.mark.parametrize("case", EQUAL)
def test_config_output_is_no_drift(trueup: Run, case: str) -> None:
    code, findings = drift(trueup, CASES / case / "desired", CASES / case / "live")
    assert [(f["rule"], f["path"], f["desired"], f["live"]) for f in findings] == []
    assert code == 0


@pytest.mark.parametrize("case", sorted(TWINS))
def test_a_real_change_is_exactly_one_finding(trueup: Run, case: str) -> None:
    code, findings = drift(trueup, CASES / case / "desired", CASES / case / "live")
    assert [(f["rule"], f["path"], f["desired"], f["live"]) for f in findings] == [TWINS[case]]
    assert code == 1


@pytest.mark.parametrize("case", sorted(TWINS))
def test_the_patch_of_a_real_change_leaves_no_drift(trueup: Run, tmp_path: Path, case: str) -> None:
    shutil.copytree(CASES / case, tmp_path / case)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = trueup("drift", "--desired", f"{case}/desired", "--live", f"{case}/live", "--patches", "out",
                    "--no-blame", cwd=tmp_path)
    assert result.code == 1
    patches = sorted((tmp_path / "out").rglob("*.patch"))
    assert len(patches) == 1
    subprocess.run(["git", "apply", str(patches[0])], cwd=tmp_path, check=True, capture_output=True)
    code, findings = drift(trueup, tmp_path / case / "desired", tmp_path / case / "live")
    # Renaming the project renames what compose names after it: the live file's own
    # <old project>_<key> names are now explicit names that differ (the patch edits one field).
    left = [("drift.extra", "/networks/backend/name"), ("drift.extra", "/networks/default")] \
        if case == "project-changed" else []
    assert [(f["rule"], f["path"]) for f in findings] == left
    assert code == (1 if left else 0)


def test_an_unset_variable_is_compared_as_interpolated_and_noted_with_verbose(trueup: Run) -> None:
    case = CASES / "interpolation"
    assert drift(trueup, case / "desired", case / "live") == (0, [])
    code, findings = drift(trueup, case / "desired", case / "live", "--verbose")
    assert code == 0
    assert [(f["rule"], f["severity"], f["path"], f["desired"], f["live"]) for f in findings] == [
        ("drift.ignored", "info", "/services/worker/image", "ghcr.io/example/shop-worker:${WORKER_TAG}",
         "ghcr.io/example/shop-worker:2.4.0")]
    assert "WORKER_TAG is not set" in findings[0]["message"]


def _pair(write: Callable[[str, str], Path], desired: str, live: str,
          files: dict[str, str] | None = None) -> tuple[Path, Path]:
    d = write("desired/compose.yaml", desired)
    l = write("live/compose.yaml", live)
    for name, text in (files or {}).items():
        write(name, text)
    return d.parent, l.parent


def test_what_an_unset_variable_cannot_stand_for_is_still_drift(trueup: Run, write) -> None:
    d, l = _pair(write, """
        services:
          web: {image: "registry.example/app:${TAG}", command: "run ${ARGS} --fast"}
        """, """
        services:
          web: {image: "other.example/app:1", command: [run, -a, -b, --fast]}
        """)
    code, findings = drift(trueup, d, l, "--verbose")
    assert [(f["rule"], f["path"]) for f in findings] == [("drift.changed", "/services/web/image"),
                                                          ("drift.ignored", "/services/web/command")]
    assert code == 1


def test_defaults_empty_values_casts_and_dollar_escapes_follow_compose(trueup: Run, write) -> None:
    d, l = _pair(write, """
        name: ${PROJECT:-shop}
        services:
          web:
            image: "nginx:${TAG:-1.27}"
            privileged: ${PRIVILEGED:-false}
            deploy: {replicas: "${REPLICAS:-2}"}
            environment:
              A: ${EMPTY:-fallback}
              B: ${EMPTY-fallback}
              C: ${UNSET-fallback}
              D: ${SET:+alternative}
              E: ${UNSET:+alternative}
              F: "$${NOT_A_VARIABLE} and $$5"
              G: "${COMPOSE_PROJECT_NAME}"
              H: "costs $ 5"
        """, """
        name: shop
        services:
          web:
            deploy: {replicas: 2}
            environment: {A: fallback, B: "", C: fallback, D: alternative, E: "", F: "$${NOT_A_VARIABLE} and $$5",
                          G: shop, H: "costs $$ 5"}
            image: nginx:1.27
            networks: {default: null}
            privileged: false
        networks:
          default: {name: shop_default}
        """, {"desired/.env": "EMPTY=\nSET=yes\n"})
    assert drift(trueup, d, l) == (0, [])


def test_env_files_outside_the_root_are_never_read(trueup: Run, write, tmp_path: Path) -> None:
    write("outside.env", "GREETING=from-outside\n")
    d, l = _pair(write, f"""
        services:
          web:
            image: nginx:1.27
            env_file: [../outside.env, {tmp_path / 'outside.env'}, ./.private/linked.env, ~/outside.env]
        """, """
        services:
          web:
            image: nginx:1.27
            environment: {GREETING: live-value}
        """)
    # In a dot-directory, which the tree walk skips (a walked symlink out of the root stops the run).
    (d / ".private").mkdir()
    os.symlink(tmp_path / "outside.env", d / ".private" / "linked.env")
    code, findings = drift(trueup, d, l)
    assert (code, findings) == (0, [])
    code, findings = drift(trueup, d, l, "--verbose")
    assert [(f["rule"], f["path"], f["live"]) for f in findings] == [
        ("drift.ignored", "/services/web/environment", {"GREETING": "live-value"})]
    assert "from-outside" not in str(findings)


def test_project_files_are_read_inside_the_root_only(tmp_path: Path) -> None:
    root = tmp_path / "desired"
    (root / "app").mkdir(parents=True)
    (tmp_path / "outside.env").write_text("TAG=9.9\n")
    (root / "app" / "web.env").write_text("TAG=1.0\n")
    os.symlink(tmp_path / "outside.env", root / "app" / ".env")
    os.symlink(root / "app" / "web.env", root / "app" / "alias.env")
    assert read_project_file(root / "app", root, "web.env") == "TAG=1.0\n"
    assert read_project_file(root / "app", root, "alias.env") == "TAG=1.0\n"
    assert read_project_file(root / "app", root, "gone.env") is None
    for name in (".env", "../../outside.env", str(tmp_path / "outside.env"), "~/.env"):
        with pytest.raises(Refused):
            read_project_file(root / "app", root, name)


def test_a_missing_env_file_is_no_error_and_an_optional_one_adds_nothing(trueup: Run, write) -> None:
    d, l = _pair(write, """
        services:
          required: {image: "a:1", env_file: [./gone.env]}
          optional: {image: "a:1", env_file: [{path: ./gone.env, required: false}]}
        """, """
        services:
          required: {image: "a:1", environment: {X: "1"}}
          optional: {image: "a:1", environment: {X: "1"}}
        """)
    code, findings = drift(trueup, d, l)
    assert [(f["rule"], f["path"]) for f in findings] == [("drift.extra", "/services/optional/environment")]
    assert code == 1


@pytest.mark.parametrize(("line", "words"), [
    ("bundle exec thin -p 3000", ["bundle", "exec", "thin", "-p", "3000"]),
    ("sh -c 'echo $HOME'  x", ["sh", "-c", "echo $HOME", "x"]),
    ('echo "a  b" c\\ d \'\'', ["echo", "a  b", "c d", ""]),
    ('say \\"hi\\"', ["say", '"hi"']),
    ("echo a && echo b", ["echo", "a"]),  # go-shellwords stops at an unquoted operator
    ("run 2>/dev/null", ["run"]),
    ("echo $(date) `id`", ["echo", "$(date)", "`id`"]),
])
def test_command_strings_split_as_go_shellwords(line: str, words: list[str]) -> None:
    assert split_words(line) == words


@pytest.mark.parametrize("line", ["echo 'open", 'echo "open', "echo (x)", "trailing \\"])
def test_command_strings_compose_refuses_do_not_split(line: str) -> None:
    with pytest.raises(SplitError):
        split_words(line)


@pytest.mark.parametrize(("value", "number"), [
    ("512M", 536870912), ("512m", 536870912), ("512mb", 536870912), ("1g", 1073741824), ("1GB", 1073741824),
    ("2b", 2), ("1024kb", 1048576), ("2048k", 2097152), ("1.5g", 1610612736), ("512 MiB", 536870912),
    ("536870912", 536870912), (536870912, 536870912), ("-1", -1), ("lots", "lots"),
])
def test_byte_values_are_powers_of_1024(value: Any, number: Any) -> None:
    assert parse_bytes(value) == number


def test_durations_and_cpus_are_numbers() -> None:
    assert parse_duration("90s") == parse_duration("1m30s") == 90 * 10**9
    assert parse_duration("1m") == parse_duration("1m0s") == parse_duration("60000ms")
    assert parse_duration("1h5m30s20ms") == ((65 * 60 + 30) * 1000 + 20) * 10**6
    assert parse_duration("soon") == "soon"
    assert parse_cpus("0.5") == 0.5 and parse_cpus(1) == 1 and parse_cpus("x") == "x"


def test_port_ranges_are_one_port_each() -> None:
    assert [(p["published"], p["target"]) for p in parse_ports("8000-8002:9000-9002")] == [
        ("8000", "9000"), ("8001", "9001"), ("8002", "9002")]
    assert [p["published"] for p in parse_ports("8000-9000:80")] == ["8000-9000"]
    assert [p["target"] for p in parse_ports("3000-3002")] == ["3000", "3001", "3002"]
    assert parse_ports("[::1]:6001:6001/UDP") == [
        {"protocol": "udp", "mode": "ingress", "host_ip": "::1", "target": "6001", "published": "6001"}]


def test_env_files_are_read_as_compose_reads_them() -> None:
    text = ("# comment\nexport A=1\nB = two words # comment\nC='$A literal'\nD=\"tab\\there $A\"\n"
            "E=x#not-a-comment\nF\nG=\n")
    tokens = Tokens()
    got = parse_dotenv(text, {"F": "inherited"}.get, tokens)
    assert got == {"A": "1", "B": "two words", "C": "$A literal", "D": "tab\there 1", "E": "x#not-a-comment",
                   "F": "inherited", "G": ""}


def test_the_project_name_compose_uses_and_the_rest_config_writes(trueup: Run, write) -> None:
    d, l = _pair(write, """
        name: Shop
        services:
          web:
            image: nginx:1.27
            ports: ["${HOST_PORT}:80"]
            extra_hosts: ["somehost:162.242.195.82"]
            secrets: [api-key]
            logging: {driver: json-file, options: {max-file: 3}}
            sysctls: [net.core.somaxconn=1024]
            pull_policy: if_not_present
            depends_on:
              db: {condition: service_healthy, restart: false}
          db: {image: "postgres:16.4", network_mode: host}
        secrets:
          api-key: {file: ./secrets/api-key.txt}
        """, """
        name: shop-prod
        services:
          db: {image: "postgres:16.4", network_mode: host}
          web:
            depends_on:
              db: {condition: service_healthy, required: true}
            extra_hosts: [somehost=162.242.195.82]
            image: nginx:1.27
            logging: {driver: json-file, options: {max-file: "3"}}
            networks: {default: null}
            ports: [{mode: ingress, target: 80, published: "8080", protocol: tcp}]
            pull_policy: missing
            secrets: [{source: api-key, target: /run/secrets/api-key}]
            sysctls: {net.core.somaxconn: "1024"}
        networks:
          default: {name: shop-prod_default}
        secrets:
          api-key: {name: shop-prod_api-key, file: /srv/shop/secrets/api-key.txt}
        """, {"desired/.env": "COMPOSE_PROJECT_NAME=shop-prod\n"})
    code, findings = drift(trueup, d, l, "--verbose")
    assert [(f["rule"], f["path"], f["live"]) for f in findings] == [
        ("drift.ignored", "/services/web/ports/0", "8080")]
    assert code == 0
    write("desired/.env", "")  # without it, `name: Shop` is the project: shop
    code, findings = drift(trueup, d, l)
    assert [(f["rule"], f["path"], f["desired"], f["live"]) for f in findings] == [
        ("drift.changed", "/name", "shop", "shop-prod")]
    assert code == 1
