"""Kubernetes noise, as data: what the API server writes, what it defaults, what has identity.

Each rule is small and named: SERVER_WRITTEN fields are skipped on both sides; a
live-only field is not drift when DEFAULTS says the server fills it in with that
value; lists in LIST_KEYS are matched by identity; quantities compare by value.
Paths are shapes: keys from the object's root, ``*`` for any list item.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .compare import KeyFunc, Rules, Shape

SERVER_WRITTEN: frozenset[Shape] = frozenset(
    {("status",)}
    | {("metadata", f) for f in ("managedFields", "resourceVersion", "uid", "creationTimestamp",
                                  "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")}
    | {("metadata", "annotations", a) for a in (
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")}
)

POD_SPEC_PREFIX: dict[str, Shape] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

Default = Any  # a value, or a callable (value, live parent) -> bool


def _pull_policy(value: Any, container: dict) -> bool:
    """Always for ``:latest`` or an untagged image, IfNotPresent for any other tag or a digest."""
    image = str(container.get("image", ""))
    name = image.rsplit("/", 1)[-1]
    untagged_or_latest = "@" not in image and (":" not in name or name.endswith(":latest"))
    return value == ("Always" if untagged_or_latest else "IfNotPresent")


def _target_port(value: Any, port: dict) -> bool:
    return value == port.get("port")


PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
CONTAINER_DEFAULTS: dict[Shape, Default] = {
    ("imagePullPolicy",): _pull_policy,
    ("terminationMessagePath",): "/dev/termination-log",
    ("terminationMessagePolicy",): "File",
    ("resources",): {},
    ("ports", "*", "protocol"): "TCP",
    **{(probe, field): value for probe in ("livenessProbe", "readinessProbe", "startupProbe")
       for field, value in PROBE_DEFAULTS.items()},
    **{(probe, "httpGet", "scheme"): "HTTP" for probe in ("livenessProbe", "readinessProbe", "startupProbe")},
}
POD_DEFAULTS: dict[Shape, Default] = {
    ("restartPolicy",): "Always",
    ("dnsPolicy",): "ClusterFirst",
    ("schedulerName",): "default-scheduler",
    ("securityContext",): {},
    ("terminationGracePeriodSeconds",): 30,
    ("enableServiceLinks",): True,
    ("serviceAccount",): lambda value, pod: value == pod.get("serviceAccountName", "default"),
    ("serviceAccountName",): "default",
    ("volumes", "*", "configMap", "defaultMode"): 420,
    ("volumes", "*", "secret", "defaultMode"): 420,
    ("volumes", "*", "projected", "defaultMode"): 420,
    ("volumes", "*", "emptyDir"): {},
    **{(group, "*", *path): value for group in ("containers", "initContainers")
       for path, value in CONTAINER_DEFAULTS.items()},
}
ROLLING_25 = {"maxSurge": "25%", "maxUnavailable": "25%"}
KIND_DEFAULTS: dict[str, dict[Shape, Default]] = {
    "Deployment": {
        ("spec", "replicas"): 1,
        ("spec", "revisionHistoryLimit"): 10,
        ("spec", "progressDeadlineSeconds"): 600,
        ("spec", "strategy"): {"type": "RollingUpdate", "rollingUpdate": ROLLING_25},
        ("spec", "strategy", "rollingUpdate"): ROLLING_25,
    },
    "StatefulSet": {
        ("spec", "replicas"): 1,
        ("spec", "revisionHistoryLimit"): 10,
        ("spec", "podManagementPolicy"): "OrderedReady",
        ("spec", "updateStrategy"): {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        ("spec", "updateStrategy", "rollingUpdate"): {"partition": 0},
        ("spec", "persistentVolumeClaimRetentionPolicy"): {"whenDeleted": "Retain", "whenScaled": "Retain"},
        ("spec", "volumeClaimTemplates", "*", "apiVersion"): "v1",
        ("spec", "volumeClaimTemplates", "*", "kind"): "PersistentVolumeClaim",
        ("spec", "volumeClaimTemplates", "*", "spec", "volumeMode"): "Filesystem",
        ("spec", "volumeClaimTemplates", "*", "status"): lambda value, parent: True,
    },
    "DaemonSet": {
        ("spec", "revisionHistoryLimit"): 10,
        ("spec", "updateStrategy"): {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
        ("spec", "updateStrategy", "rollingUpdate"): {"maxUnavailable": 1, "maxSurge": 0},
    },
    "CronJob": {
        ("spec", "concurrencyPolicy"): "Allow",
        ("spec", "failedJobsHistoryLimit"): 1,
        ("spec", "successfulJobsHistoryLimit"): 3,
        ("spec", "suspend"): False,
    },
    "Service": {
        ("spec", "type"): "ClusterIP",
        ("spec", "sessionAffinity"): "None",
        ("spec", "clusterIP"): lambda value, parent: True,
        ("spec", "clusterIPs"): lambda value, parent: True,
        ("spec", "ipFamilies"): lambda value, parent: True,
        ("spec", "ipFamilyPolicy"): "SingleStack",
        ("spec", "internalTrafficPolicy"): "Cluster",
        ("spec", "ports", "*", "protocol"): "TCP",
        ("spec", "ports", "*", "targetPort"): _target_port,
    },
    "PersistentVolumeClaim": {("spec", "volumeMode"): "Filesystem"},
    "Namespace": {("spec",): {"finalizers": ["kubernetes"]}, ("spec", "finalizers"): ["kubernetes"]},
}
JOB_DEFAULTS: dict[Shape, Default] = {
    ("backoffLimit",): 6, ("completions",): 1, ("parallelism",): 1, ("suspend",): False,
    ("completionMode",): "NonIndexed", ("podReplacementPolicy",): "TerminatingOrFailed",
}
KIND_DEFAULTS["Job"] = {("spec", *k): v for k, v in JOB_DEFAULTS.items()}
KIND_DEFAULTS["CronJob"].update({("spec", "jobTemplate", "spec", *k): v for k, v in JOB_DEFAULTS.items()})


def defaults_for(kind: str) -> dict[Shape, Default]:
    table = dict(KIND_DEFAULTS.get(kind, {}))
    prefix = POD_SPEC_PREFIX.get(kind)
    if prefix is not None:
        table.update({(*prefix, *path): value for path, value in POD_DEFAULTS.items()})
    return table


def _by(*fields: str, defaults: dict[str, Any] | None = None) -> KeyFunc:
    defaults = defaults or {}

    def key(item: Any) -> Any:
        if not isinstance(item, dict):
            return ("value", repr(item))
        return tuple(str(item.get(f, defaults.get(f))) for f in fields)

    return key


BY_NAME = _by("name")
LIST_KEYS: dict[str, KeyFunc] = {
    "containers": BY_NAME, "initContainers": BY_NAME, "ephemeralContainers": BY_NAME,
    "env": BY_NAME, "volumes": BY_NAME, "imagePullSecrets": BY_NAME,
    "volumeMounts": _by("mountPath"), "volumeDevices": _by("devicePath"),
    "volumeClaimTemplates": lambda item: str((item.get("metadata") or {}).get("name")),
}
CONTAINER_PORTS = _by("containerPort", "protocol", defaults={"protocol": "TCP"})
SERVICE_PORTS = _by("port", "protocol", defaults={"protocol": "TCP"})

_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {
    None: Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}


def quantity(value: Any) -> Decimal | None:
    """A Kubernetes quantity's value: ``500m`` = 0.5, ``1Gi`` = 1024Mi, but ``1G`` != ``1Gi``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    try:
        return Decimal(match.group(1)) * _SUFFIX[match.group(2)]
    except InvalidOperation:
        return None


def _is_quantity(shape: Shape) -> bool:
    return (len(shape) >= 2 and shape[-2] in ("limits", "requests", "capacity", "hard", "overhead")) or (
        shape[-1:] == ("sizeLimit",)
    )


EMPTY = (None, [], {})


class KubernetesRules(Rules):
    def __init__(self, kind: str, extra_skip: Callable[[Shape], bool] | None = None) -> None:
        self.kind = kind
        self.defaults = defaults_for(kind)
        self.extra_skip = extra_skip

    def skip(self, shape: Shape) -> bool:
        if shape in SERVER_WRITTEN or shape[-2:] == ("metadata", "creationTimestamp"):
            return True
        if self.kind == "Secret" and shape in (("data",), ("stringData",)):
            return True
        return self.extra_skip is not None and self.extra_skip(shape)

    def live_default(self, shape: Shape, value: Any, live_parent: dict, desired_parent: dict) -> bool:
        if value in EMPTY and not isinstance(value, bool):
            return True
        if shape == ("metadata", "namespace"):
            return True
        if shape[:2] == ("metadata", "labels") and shape[-1] == "kubernetes.io/metadata.name":
            return True
        if shape[-1] == "annotations" and not desired_parent.get("annotations"):
            return all(("metadata", "annotations", a) in SERVER_WRITTEN for a in value)
        default = self.defaults.get(shape)
        if default is None:
            # A live-only mapping holding nothing but server-written fields and defaults is one too.
            return isinstance(value, dict) and all(
                self.skip((*shape, k)) or self.live_default((*shape, k), v, value, {}) for k, v in value.items()
            )
        if callable(default):
            return bool(default(value, live_parent))
        return value == default

    def absent_ok(self, shape: Shape, value: Any) -> bool:
        return (value in EMPTY and not isinstance(value, bool)) or self.defaults.get(shape) == value

    def list_key(self, shape: Shape, items: list) -> KeyFunc | None:
        last = shape[-1] if shape else ""
        if last == "ports":
            return SERVICE_PORTS if shape == ("spec", "ports") else CONTAINER_PORTS
        key = LIST_KEYS.get(last)
        if key is not None:
            return key
        if items and all(isinstance(i, dict) and "name" in i for i in items):
            names = [i["name"] for i in items]
            if len(set(map(str, names))) == len(names):
                return BY_NAME
        return None

    def equal(self, shape: Shape, desired: Any, live: Any) -> bool | None:
        if shape and _is_quantity(shape) and not isinstance(desired, (dict, list)):
            a, b = quantity(desired), quantity(live)
            if a is not None and b is not None:
                return a == b
        return None
