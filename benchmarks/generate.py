"""Seeded generator of desired/live Kubernetes estates for drift benchmarks.

    python benchmarks/generate.py OUT --objects 5000 --drift 0.1 --seed 1 [--targets 8 --config]

writes OUT/desired/<kind>-<name>.yaml (one object per file, as a GitOps repo keeps
them) and OUT/live/export-NNN.yaml (``kubectl get -o yaml`` Lists of 50 objects,
with the API server's noise: status, managedFields, uid, defaults). About ``drift``
of the objects differ for real (replicas, an image tag, an env value, ConfigMap data).

With ``--targets K`` (K > 1) the objects are dealt round-robin into K groups,
``desired/tNN/`` and ``live/tNN/``, one drift target each. ``--config`` also writes
OUT/trueup.yaml (the desired directory as plain-YAML templates, a values file, one
environment ``bench``, one Kubernetes target per group), so ``trueup check`` and
``trueup drift --shard I/N`` run over the estate. The random draws do not depend on
K or ``--config``: every layout holds the same objects and the same drift.
"""
from __future__ import annotations

import argparse
import copy
import random
from pathlib import Path
from typing import Any

import yaml

# The C emitter writes the same text as yaml.safe_dump, several times faster.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

KINDS = [("Deployment", 0.5), ("Service", 0.25), ("ConfigMap", 0.15), ("StatefulSet", 0.05), ("CronJob", 0.05)]


def _container(rnd: random.Random, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"ghcr.io/example/{name}:{rnd.randint(1, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 9)}",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [{"name": f"VAR_{i}", "value": f"value-{rnd.randint(0, 10**6)}"} for i in range(rnd.randint(2, 8))],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": 0.5, "memory": "512Mi"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}],
    }


def _pod(rnd: random.Random, name: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": name}},
        "spec": {
            "containers": [_container(rnd, name)],
            "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}}],
        },
    }


def desired_object(rnd: random.Random, kind: str, name: str) -> dict[str, Any]:
    meta = {"name": name, "namespace": "apps", "labels": {"app": name, "team": f"team-{rnd.randint(1, 20)}"}}
    if kind == "Deployment":
        spec = {"replicas": rnd.randint(1, 6), "selector": {"matchLabels": {"app": name}}, "template": _pod(rnd, name)}
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "StatefulSet":
        spec = {"serviceName": name, "selector": {"matchLabels": {"app": name}}, "template": _pod(rnd, name),
                "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                          "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "CronJob":
        pod = _pod(rnd, name)
        pod["spec"]["restartPolicy"] = "OnFailure"
        spec = {"schedule": f"{rnd.randint(0, 59)} 3 * * *", "jobTemplate": {"spec": {"template": pod}}}
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "Service":
        spec = {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
    data = {f"key-{i}": f"setting-{rnd.randint(0, 10**6)}" for i in range(rnd.randint(3, 12))}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def _pod_noise(pod: dict[str, Any]) -> None:
    pod["metadata"]["creationTimestamp"] = None
    spec = pod["spec"]
    spec.update(dnsPolicy="ClusterFirst", schedulerName="default-scheduler", securityContext={},
                terminationGracePeriodSeconds=30)
    spec.setdefault("restartPolicy", "Always")
    for volume in spec.get("volumes", []):
        volume["configMap"]["defaultMode"] = 420
    for c in spec["containers"]:
        c.update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log",
                 terminationMessagePolicy="File")
        c["resources"]["limits"]["cpu"] = "500m"
        for port in c["ports"]:
            port["protocol"] = "TCP"
        for probe in ("livenessProbe", "readinessProbe"):
            c[probe].setdefault("periodSeconds", 10)
            c[probe].update(timeoutSeconds=1, successThreshold=1, failureThreshold=3)
            c[probe]["httpGet"]["scheme"] = "HTTP"


def live_object(rnd: random.Random, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the API server returns it: server-written fields and defaults filled in."""
    live = copy.deepcopy(obj)
    kind = live["kind"]
    live["metadata"].update(
        uid=f"{rnd.getrandbits(64):016x}-0000-4000-8000-{rnd.getrandbits(48):012x}",
        resourceVersion=str(rnd.randint(10**6, 10**8)), generation=rnd.randint(1, 9),
        creationTimestamp="2026-10-01T12:00:00Z",
        managedFields=[{"apiVersion": live["apiVersion"], "fieldsType": "FieldsV1", "manager": "kubectl-client-side-apply",
                        "operation": "Update", "time": "2026-10-01T12:00:00Z",
                        "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}],
    )
    if kind == "Deployment":
        live["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "3"}
        live["spec"].update(progressDeadlineSeconds=600, revisionHistoryLimit=10,
                            strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        _pod_noise(live["spec"]["template"])
        live["status"] = {"replicas": live["spec"]["replicas"], "readyReplicas": live["spec"]["replicas"],
                          "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}
    elif kind == "StatefulSet":
        live["spec"].update(replicas=1, podManagementPolicy="OrderedReady", revisionHistoryLimit=10,
                            updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        for claim in live["spec"]["volumeClaimTemplates"]:
            claim.update(apiVersion="v1", kind="PersistentVolumeClaim", status={"phase": "Pending"})
            claim["spec"]["volumeMode"] = "Filesystem"
        _pod_noise(live["spec"]["template"])
        live["status"] = {"replicas": 1, "readyReplicas": 1}
    elif kind == "CronJob":
        live["spec"].update(concurrencyPolicy="Allow", failedJobsHistoryLimit=1, successfulJobsHistoryLimit=3, suspend=False)
        _pod_noise(live["spec"]["jobTemplate"]["spec"]["template"])
        live["status"] = {"lastScheduleTime": "2026-11-24T03:00:00Z"}
    elif kind == "Service":
        ip = f"10.96.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        live["spec"].update(clusterIP=ip, clusterIPs=[ip], ipFamilies=["IPv4"], ipFamilyPolicy="SingleStack",
                            sessionAffinity="None", type="ClusterIP", internalTrafficPolicy="Cluster")
        for port in live["spec"]["ports"]:
            port["protocol"] = "TCP"
        live["status"] = {"loadBalancer": {}}
    return live


def add_drift(rnd: random.Random, live: dict[str, Any]) -> None:
    kind = live["kind"]
    if kind == "ConfigMap":
        key = rnd.choice(sorted(live["data"]))
        live["data"][key] += "-edited"
    elif kind == "Service":
        live["spec"]["ports"][0]["targetPort"] = 9090
    elif kind == "CronJob":
        live["spec"]["schedule"] = "*/5 * * * *"
    else:
        container = live["spec"]["template"]["spec"]["containers"][0]
        choice = rnd.randrange(3)
        if choice == 0:
            live["spec"]["replicas"] = live["spec"].get("replicas", 1) + 2
        elif choice == 1:
            container["image"] += "-hotfix"
        else:
            container["env"][0]["value"] = "changed-by-hand"


def group_names(targets: int) -> list[str]:
    """The groups' subdirectory names (``[""]``: one flat group)."""
    return [""] if targets <= 1 else [f"t{k + 1:02d}" for k in range(targets)]


def generate(out: Path, objects: int, drift: float, seed: int, targets: int = 1, config: bool = False) -> int:
    """Write the estate; return how many objects drifted."""
    rnd = random.Random(seed)
    groups = group_names(targets)
    for group in groups:
        (out / "desired" / group).mkdir(parents=True, exist_ok=True)
        (out / "live" / group).mkdir(parents=True, exist_ok=True)
    kinds, weights = zip(*KINDS)
    lives: list[list[dict[str, Any]]] = [[] for _ in groups]
    drifted = 0
    for i in range(objects):
        group = i % len(groups)
        kind = rnd.choices(kinds, weights)[0]
        obj = desired_object(rnd, kind, f"svc-{i:05d}")
        (out / "desired" / groups[group] / f"{kind.lower()}-{obj['metadata']['name']}.yaml").write_text(
            yaml.dump(obj, Dumper=DUMPER, sort_keys=False), encoding="utf-8"
        )
        live = live_object(rnd, obj)
        if rnd.random() < drift:
            add_drift(rnd, live)
            drifted += 1
        lives[group].append(live)
    for group, items in zip(groups, lives):
        rnd.shuffle(items)
        for n in range(0, len(items), 50):
            export = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items[n:n + 50]}
            (out / "live" / group / f"export-{n // 50:03d}.yaml").write_text(yaml.dump(export, Dumper=DUMPER),
                                                                            encoding="utf-8")
    if config:
        write_config(out, groups)
    return drifted


def write_config(out: Path, groups: list[str]) -> None:
    """OUT/trueup.yaml (and OUT/values/bench.yaml): render ``desired/`` as templates for one
    environment, and compare each group with its live directory."""
    (out / "values").mkdir(exist_ok=True)
    (out / "values" / "bench.yaml").write_text("# values of the generated estate (its templates are plain YAML)\n"
                                                "namespace: apps\n", encoding="utf-8")
    lines = [
        "# Generated by benchmarks/generate.py: the generated estate as a trueup repository.",
        "version: 1",
        "templates: desired",
        "environments:",
        "  bench:",
        "    values: [values/bench.yaml]",
        "targets:",
    ]
    for group in groups:
        prefix = f"{group}/" if group else ""
        lines += [
            f"  - name: {group or 'estate'}",
            "    kind: kubernetes",
            f'    desired: "{prefix}**/*.yaml"',
            f'    live: "live/{group}"' if group else '    live: "live"',
            "    namespace: apps",
        ]
    lines += ["kubernetes:", '  version: "1.33"', "  strict: true", ""]
    (out / "trueup.yaml").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--drift", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--targets", type=int, default=1, help="deal the objects into this many drift targets")
    parser.add_argument("--config", action="store_true", help="also write OUT/trueup.yaml")
    args = parser.parse_args()
    drifted = generate(args.out, args.objects, args.drift, args.seed, args.targets, args.config)
    print(f"{args.objects} objects, {drifted} drifted, in {args.out}")


if __name__ == "__main__":
    main()
