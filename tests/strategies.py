"""Hypothesis strategies for generated objects, and the server's view of them, shared by the drift and patch tests."""
from __future__ import annotations

import copy
from typing import Any, Iterator

from hypothesis import strategies as st

from trueup.pointer import escape_token

NAME = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
TAG = st.sampled_from(["1.2.3", "latest", "", "2026.11", "@sha256:" + "a" * 64])
QUANTITY = st.sampled_from(["100m", "0.5", "1", "250m", "128Mi", "1Gi", "2G", "512Ki"])


def unique_by(strategy: st.SearchStrategy, key: str, min_size: int = 0, max_size: int = 4) -> st.SearchStrategy:
    return st.lists(strategy, min_size=min_size, max_size=max_size, unique_by=lambda item: item[key])


@st.composite
def containers(draw: st.DrawFn) -> dict:
    tag = draw(TAG)
    image = f"registry.example/{draw(NAME)}" + (tag if tag.startswith("@") else f":{tag}" if tag else "")
    container: dict[str, Any] = {"name": draw(NAME), "image": image}
    env = draw(unique_by(st.fixed_dictionaries({"name": NAME, "value": TEXT}), "name"))
    if env:
        container["env"] = env
    ports = draw(unique_by(st.fixed_dictionaries({"containerPort": st.integers(1, 65535)}), "containerPort"))
    if ports:
        container["ports"] = ports
    mounts = draw(unique_by(st.fixed_dictionaries({"name": NAME, "mountPath": st.from_regex(r"/[a-z]{1,6}", fullmatch=True)}), "mountPath"))
    if mounts:
        container["volumeMounts"] = mounts
    if draw(st.booleans()):
        container["resources"] = {"requests": {"cpu": draw(QUANTITY)}, "limits": {"memory": draw(QUANTITY)}}
    if draw(st.booleans()):
        container["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": draw(st.integers(1, 65535))}}
    return container


@st.composite
def deployments(draw: st.DrawFn) -> dict:
    labels = draw(st.dictionaries(NAME, NAME, min_size=1, max_size=3))
    pod: dict[str, Any] = {"containers": draw(unique_by(containers(), "name", min_size=1, max_size=3))}
    volumes = draw(unique_by(st.fixed_dictionaries({"name": NAME, "configMap": st.fixed_dictionaries({"name": NAME})}), "name"))
    if volumes:
        pod["volumes"] = volumes
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod},
    }
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, 50))
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": draw(NAME), "labels": labels}, "spec": spec}


def with_noise(obj: dict) -> dict:
    """What the API server returns for ``obj``: server-written fields and every default filled in."""
    live = copy.deepcopy(obj)
    live["metadata"].update(
        namespace="default", uid="0f8e", resourceVersion="4711", generation=3,
        creationTimestamp="2026-11-01T00:00:00Z", managedFields=[{"manager": "kubectl", "operation": "Update"}],
        annotations={"deployment.kubernetes.io/revision": "3"},
    )
    live["status"] = {"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]}
    spec = live["spec"]
    spec.setdefault("replicas", 1)
    spec.update(revisionHistoryLimit=10, progressDeadlineSeconds=600,
                strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    spec["template"]["metadata"]["creationTimestamp"] = None
    pod = spec["template"]["spec"]
    pod.update(restartPolicy="Always", dnsPolicy="ClusterFirst", schedulerName="default-scheduler",
               securityContext={}, terminationGracePeriodSeconds=30)
    for volume in pod.get("volumes", []):
        volume["configMap"]["defaultMode"] = 420
    for c in pod["containers"]:
        last = c["image"].rsplit("/", 1)[-1]
        c["imagePullPolicy"] = "Always" if "@" not in c["image"] and (":" not in last or last.endswith(":latest")) else "IfNotPresent"
        c.update(terminationMessagePath="/dev/termination-log", terminationMessagePolicy="File")
        c.setdefault("resources", {})
        for port in c.get("ports", []):
            port["protocol"] = "TCP"
        if "livenessProbe" in c:
            c["livenessProbe"].update(timeoutSeconds=1, periodSeconds=10, successThreshold=1, failureThreshold=3)
            c["livenessProbe"]["httpGet"]["scheme"] = "HTTP"
    return live


IDENTITY = {"name", "containerPort", "mountPath", "apiVersion", "kind"}


def leaves(value: Any, pointer: str = "", key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{pointer}/{escape_token(k)}", k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, f"{pointer}/{i}", key)
    elif key not in IDENTITY and not pointer.startswith(("/spec/selector", "/metadata/name")):
        yield pointer, value


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "-x"
    if value is None:
        return "set"
    return "changed"


def set_at(data: Any, pointer: str, value: Any) -> None:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
    for token in tokens[:-1]:
        data = data[int(token)] if isinstance(data, list) else data[token]
    if isinstance(data, list):
        data[int(tokens[-1])] = value
    else:
        data[tokens[-1]] = value


@st.composite
def compose_files(draw: st.DrawFn) -> dict:
    services = {}
    for name in draw(st.lists(NAME, min_size=1, max_size=3, unique=True)):
        env = draw(st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True), TEXT.filter(lambda t: "=" not in t), max_size=4))
        ports = draw(st.lists(st.tuples(st.integers(1024, 65535), st.integers(1, 65535)), max_size=3, unique_by=lambda p: p))
        services[name] = {"image": f"{name}:1.0", "environment": env, "ports": [f"{h}:{c}" for h, c in ports]}
    return {"services": services}




CONFIG_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAME, inner, max_size=4)),
    max_leaves=20,
)
