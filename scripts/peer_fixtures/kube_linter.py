"""kube-linter's labeled end-to-end fixtures as comparison cases.

Where the labels come from (stackrox/kube-linter, read from a bare snapshot with ``git show``):

* ``e2etests/bats-tests.sh`` -- one bats ``@test`` per check: the fixture it lints (``tmp=``), the
  command line (``--include <check>`` or ``--config <file>``), the asserted report messages
  ("<Kind>: <message>", sometimes "<Kind> <name>: <message>") and the asserted report count;
* ``tests/checks/<fixture>`` -- the fixture files, kept byte for byte as the cases' files;
* ``pkg/builtinchecks/yamls/*.yaml`` -- each built-in check's ``scope.objectKinds``: which objects
  of a fixture get an expectation;
* ``e2etests/testdata/*.yaml`` -- the ``--config`` files (custom checks or parameters are left out).

The bats assertions name kinds and messages but rarely the object, so FAILS below records which
objects each test expects to be reported; it was derived by reading each fixture beside its test's
assertions.  Extraction checks FAILS against the assertions (kinds, named objects, quoted container
names, counts, the fixtures' fire/dont-fire naming) and raises ValueError on any inconsistency.
Every other object of a targeted kind is expected to pass.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from ._git import git, resolve

REPO = "stackrox/kube-linter"
COMMIT = "35de568d49825fe0278d25d7fca5aa2467f9dd00"

DEPLOYMENT_LIKE = {"Deployment", "DaemonSet", "DeploymentConfig", "StatefulSet", "ReplicaSet", "Pod",
                   "ReplicationController", "Job", "CronJob"}  # pkg/objectkinds/deployment_like.go
JOB_LIKE = {"Job", "CronJob"}  # pkg/objectkinds/job_like.go

# Checks that look at other objects of the input: a fixture for them must never be split.
CROSS_OBJECT = {"access-to-create-pods", "access-to-secrets", "dangling-horizontalpodautoscaler", "dangling-ingress",
                "dangling-networkpolicy", "dangling-networkpolicypeer-podselector", "dangling-service",
                "dangling-servicemonitor", "env-value-from", "non-existent-service-account", "non-isolated-pod",
                "pdb-min-available"}

# Objects that the bats test expects to be reported.  Key "Kind/name" ("?" when metadata.name is absent);
# "Kind/name#N" picks the N-th (1-based) object with that key in the file when the file repeats a key.
# Every other object of a targeted kind is expected to pass.  Comment = which assertion(s) it accounts for.
FAILS: dict[str, list[str]] = {
    # role-binding1 binds role1, which may create pods; count 1
    "access-to-create-pods": ["RoleBinding/role-binding1"],
    # role-binding1 binds role1, which may get secrets; count 1
    "access-to-secrets": ["RoleBinding/role-binding1"],
    # roleRef ClusterRole cluster-admin (the other binds "admin"); count 1
    "cluster-admin-role-binding": ["ClusterRoleBinding/role-binding1"],
    # scaleTargetRef Deployment app2 (absent); RELEASE-NAME-mychart targets dont-fire (present); count 1
    "dangling-horizontalpodautoscaler": ["HorizontalPodAutoscaler/hpa1"],
    # backends: service "missing" (absent) on port 80, service bad-port on a port it lacks (8080); count 2
    "dangling-ingress": ["Ingress/missing-service", "Ingress/bad-port"],
    # only object in the file; count 1
    "dangling-networkpolicy": ["NetworkPolicy/app"],
    "dangling-networkpolicypeer-podselector": ["NetworkPolicy/app"],
    # services app1 and app2 select app.kubernetes.io/name=app, which no pod carries; count 2
    "dangling-service": ["Service/app1", "Service/app2"],
    # msgs 1-2: selector app, no ns selector -> ServiceMonitor app1 (1st) and app2;
    # msg 3: no selector, ns [test2] -> app1 (3rd); msg 4: selector app1, ns [test2] -> app1 (4th); count 4.
    # dont-fire (x2) and dont-fire2 match Service dont-fire in namespace dontfire.
    "dangling-servicemonitor": ["ServiceMonitor/app1", "ServiceMonitor/app2"],
    # serviceAccountName: default; count 2
    "default-service-account": ["Deployment/app", "DeploymentConfig/app"],
    # serviceAccount: default (deprecated field); count 2
    "deprecated-service-account-field": ["Deployment/app", "DeploymentConfig/app"],
    # msg1 ndots:5 -> app1; msg2 no options (only Searches) -> app2; msg3 no dnsConfig -> app3; count 3
    "dnsconfig-options": ["Deployment/app1", "Deployment/app2", "Deployment/app3"],
    # hostPath /var/run/docker.sock; count 2
    "docker-sock": ["Deployment/app", "DeploymentConfig/app"],
    # ADD NET_RAW (Reports 0 and 2) + not dropping NET_RAW (Reports 1 and 3) on the same two objects; count 4.
    # dont-fire objects have `capabilities:` null -> skipped by the template.
    "drop-net-raw-capability": ["Deployment/app", "DeploymentConfig/app"],
    # the two nameless objects (containers fire-deployment / fire-stateful); count 2
    "duplicate-env-var": ["Deployment/?", "StatefulSet/?"],
    # 4 messages: unknown key chimpmunk, unknown key configkey-wrong, unknown configmap, unknown secret; count 4
    "env-value-from": ["Deployment/should-fire-secret", "Deployment/should-fire-configmap",
                       "Deployment/should-fire-missing-configmap", "Deployment/should-fire-missing-secret"],
    # SECRET_BLAH literal value; count 2
    "env-var-secret": ["Deployment/app", "DeploymentConfig/app"],
    # type NodePort; count 1
    "exposed-services": ["Service/app"],
    "host-ipc": ["Deployment/app", "DeploymentConfig/app"],
    "host-network": ["Deployment/app", "DeploymentConfig/app"],
    "host-pid": ["Deployment/app", "DeploymentConfig/app"],
    # minReplicas 2; count 1
    "hpa-minimum-three-replicas": ["HorizontalPodAutoscaler/app"],
    # all four messages name "invalid-target-ports" (2 Service targetPorts, 2 container port names); count 4
    "invalid-target-ports": ["Service/invalid-target-ports", "Deployment/invalid-target-ports"],
    # messages carry the object names; count 2
    "job-ttl-seconds-after-finished": ["Job/bad-job", "CronJob/bad-cronjob"],
    # app:latest; count 2
    "latest-tag": ["Deployment/app", "DeploymentConfig/app"],
    # nameless Deployment (fire-deployment-name/-int/-udp) and nameless StatefulSet (fire-stateful-name); count 4
    "liveness-port": ["Deployment/?", "StatefulSet/?"],
    # replicas 2; count 2
    "minimum-three-replicas": ["Deployment/app", "DeploymentConfig/app"],
    # selector app1 / app2 against empty template labels; count 2
    "mismatching-selector": ["Deployment/app1", "DeploymentConfig/app2"],
    # msg1/msg2: 3 replicas, no anti-affinity (app1, app2); msg3: namespace foo not in [bar]; count 3
    "no-anti-affinity": ["Deployment/app1", "DeploymentConfig/app2",
                         "Deployment/fire-namespaced-with-namespaces-selector-not-matching"],
    # the extensions/v1beta1 NetworkPolicy is the 2nd "NetworkPolicy/app"; count 1
    "no-extensions-v1beta": ["NetworkPolicy/app#2"],
    # containers app1 / app2 without livenessProbe; count 2
    "no-liveness-probe": ["Deployment/app1", "DeploymentConfig/app2"],
    # only object; count 1
    "no-node-affinity": ["Deployment/nginx-deployment"],
    # readOnlyRootFilesystem: false; count 2
    "no-read-only-root-fs": ["Deployment/app1", "DeploymentConfig/app2"],
    # containers without readinessProbe; count 2
    "no-readiness-probe": ["Deployment/app1", "DeploymentConfig/app2"],
    # strategy type Other; app3/app4 have the kind default; count 2
    "no-rolling-update-strategy": ["Deployment/app1", "DeploymentConfig/app2"],
    # serviceAccount "missing"; count 2
    "non-existent-service-account": ["Deployment/app", "DeploymentConfig/app"],
    # labels app1 / app2 not selected by a NetworkPolicy; count 2
    "non-isolated-pod": ["Deployment/app1", "DeploymentConfig/app2"],
    # maxUnavailable: 0 (no count asserted; baz has maxUnavailable 1)
    "pdb-max-unavailable": ["PodDisruptionBudget/foo"],
    # deployments foo / foo2 / foo3 -> PDBs baz / baz2 / baz3 (one per namespace); count 3
    "pdb-min-available": ["PodDisruptionBudget/baz", "PodDisruptionBudget/baz2", "PodDisruptionBudget/baz3"],
    # no unhealthyPodEvictionPolicy; count 1
    "pdb-unhealthy-pod-eviction-policy": ["PodDisruptionBudget/fire"],
    # messages carry the object names; count 7
    "priority-class-name": ["Deployment/fire-deployment", "Pod/fire-pod", "DaemonSet/fire-daemonset",
                            "ReplicaSet/fire-replicaset", "ReplicationController/fire-replicationcontroller",
                            "Job/fire-job", "CronJob/fire-cronjob"],
    # allowPrivilegeEscalation: true; count 2
    "privilege-escalation-container": ["Deployment/app1", "DeploymentConfig/app2"],
    # privileged: true; count 2
    "privileged-container": ["Deployment/app1", "DeploymentConfig/app2"],
    # containerPort 80; count 2
    "privileged-ports": ["Deployment/app1", "DeploymentConfig/app2"],
    # env TOKEN secretKeyRef; count 2
    "read-secret-from-env-var": ["Deployment/app1", "DeploymentConfig/app2"],
    # only object (nameless); count 4
    "readiness-port": ["Deployment/?"],
    # annotation whois instead of email; count 2
    "required-annotation-email": ["Deployment/app1", "DeploymentConfig/app2"],
    # label dev instead of owner; count 2
    "required-label-owner": ["Deployment/app1", "DeploymentConfig/app2"],
    # messages carry the object names; count 7
    "restart-policy": ["Deployment/fire-deployment-never", "Pod/fire-pod-never", "DaemonSet/fire-daemonset-never",
                       "ReplicaSet/fire-replicaset-never", "ReplicationController/fire-replicationcontroller-never",
                       "Job/fire-job-never", "CronJob/fire-cronjob-never"],
    # containers app (Deployment app1), app2 (DC app2): not runAsNonRoot; app3/app4 (group-zero): runAsGroup 0; count 4
    "run-as-non-root": ["Deployment/app1", "DeploymentConfig/app2", "Deployment/group-zero",
                        "DeploymentConfig/group-zero"],
    # allowPrivilegedContainer: true; count 1
    "scc-deny-privileged-container": ["SecurityContextConstraints/app1"],
    # DaemonSet with spec.replicas, Pod with spec.invalidField; count 2
    "schema-validation": ["DaemonSet/invalid-daemonset", "Pod/invalid-pod"],
    # hostPath /etc; count 2
    "sensitive-host-mounts": ["Deployment/app1", "DeploymentConfig/app2"],
    # count 27 reports (one per unsorted mapping, recursive), verified below by re-implementing the template;
    # NB: sorted-deployment, whose fixture comment says it passes, fires: its container lists name before image.
    "sorted-keys": ["Deployment/sorted-deployment", "Deployment/unsorted-top-level", "Deployment/unsorted-nested",
                    "Deployment/unsorted-spec-keys", "ConfigMap/unsorted-configmap", "Service/frontend-service",
                    "CronJob/backup-job", "DaemonSet/log-collector", "Job/data-migration"],
    # containers app (app1), app (app2), app-no-protocol (app3); count 3
    "ssh-port": ["Deployment/app1", "DeploymentConfig/app2", "DeploymentConfig/app3"],
    # only object (nameless); count 4
    "startup-port": ["Deployment/?"],
    # procMount: Unmasked; count 2
    "unsafe-proc-mount": ["Deployment/app1", "DeploymentConfig/app2"],
    # sysctl kernel.sem; count 2
    "unsafe-sysctls": ["Deployment/app1", "DeploymentConfig/app2"],
    # cpu request 0; count 2
    "unset-cpu-requirements": ["Deployment/app1", "DeploymentConfig/app2"],
    # memory limit 0; count 2
    "unset-memory-requirements": ["Deployment/app1", "DeploymentConfig/app2"],
    # namespace: default; count 1
    "use-namespace": ["Deployment/app1"],
    # the 2nd Role role1 has verbs ["*"]; count 1
    "wildcard-in-rules": ["Role/role1#2"],
    # hostPath /config without readOnly; count 2
    "writable-host-mount": ["Deployment/app1", "DeploymentConfig/app2"],
}


def _show(git_dir: Path, rev: str, path: str) -> str:
    return git(git_dir, "show", f"{rev}:{path}")


def bash_dq(s: str) -> str:
    """Unescape the body of a bash double-quoted string."""
    return re.sub(r'\\([\\"$`])', r"\1", s)


def parse_bats(text: str) -> list[dict]:
    tests = []
    for m in re.finditer(r'@test "([^"]+)" \{\n(.*?)\n\}', text, re.S):
        name, body = m.group(1), m.group(2)
        t = {"name": name, "body": body}
        mt = re.search(r'^\s*tmp="([^"]*)"', body, re.M)
        t["tmp"] = mt.group(1) if mt else None
        mc = re.search(r'^\s*cmd="(.*)"\s*$', body, re.M)
        t["cmd"] = mc.group(1) if mc else ""
        # messageN=$(get_value_from "${lines[0]}" '<jq>')
        jq = {k: v for k, v in re.findall(r'^\s*(\w+)=\$\(get_value_from "\$\{lines\[0\]\}" (?:\'|")(.*?)(?:\'|")\)\s*$',
                                          body, re.M)}
        asserts = []
        for var, op, val in re.findall(r'\[\[ "\$\{(\w+)\}" (==|=~) "((?:[^"\\]|\\.)*)" \]\]', body):
            asserts.append({"var": var, "op": op, "value": bash_dq(val), "jq": jq.get(var, "")})
        # the array form used by invalid-target-ports: actual_messages[i]
        for idx, val in re.findall(r'\[\[ "\$\{actual_messages\[(\d+)\]\}" == "((?:[^"\\]|\\.)*)" \]\]', body):
            asserts.append({"var": f"actual_messages[{idx}]", "op": "==", "value": bash_dq(val),
                            "jq": '.Object.K8sObject.GroupVersionKind.Kind + ": " + .Diagnostic.Message'})
        t["asserts"] = asserts
        cnt = [a for a in asserts if a["var"] == "count"]
        t["count"] = int(cnt[0]["value"]) if cnt else None
        inc = re.findall(r"--include (\S+)", t["cmd"])
        t["include"] = inc
        mconf = re.search(r"--config (\S+)", t["cmd"])
        t["config"] = mconf.group(1) if mconf else None
        tests.append(t)
    return tests


def split_docs(text: str) -> list[str]:
    """Split a multi-document YAML file into the exact text of each document (separators dropped)."""
    parts, cur = [], []
    for line in text.splitlines(keepends=True):
        if re.match(r"^---\s*(#.*)?$", line.rstrip("\n")):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(line)
    parts.append("".join(cur))
    return parts


def objects_of(text: str) -> list[tuple[str, dict, str]]:
    """(key, object, document text) for each object of the file, in order."""
    out = []
    for doc_text in split_docs(text):
        doc = yaml.safe_load(doc_text) if doc_text.strip() else None
        if not isinstance(doc, dict) or "kind" not in doc:
            continue
        name = (doc.get("metadata") or {}).get("name") or "?"
        out.append((f"{doc['kind']}/{name}", doc, doc_text))
    return out


def targeted(kinds: list[str], kind: str) -> bool:
    for k in kinds:
        if k == "Any" or k == kind:
            return True
        if k == "DeploymentLike" and kind in DEPLOYMENT_LIKE:
            return True
        if k == "JobLike" and kind in JOB_LIKE:
            return True
    return False


def unsorted_mappings(node) -> int:
    """Re-implementation of pkg/templates/sortedkeys (recursive): one report per mapping whose keys are unsorted."""
    n = 0
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if len(keys) > 1 and keys != sorted(keys):
            n += 1
        for _, v in node.value:
            n += unsorted_mappings(v)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            n += unsorted_mappings(v)
    return n


def container_names(obj: dict) -> set[str]:
    names = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("containers", "initContainers") and isinstance(v, list):
                    names.update(c.get("name") for c in v if isinstance(c, dict) and c.get("name"))
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(obj)
    return names


def verify(check: str, test: dict, objs: list, fail_idx: set[int], kinds: list[str]) -> list[str]:
    """Cross-check the FAILS entry against the bats assertions.  Returns a list of problems."""
    problems = []
    fails = [objs[i] for i in sorted(fail_idx)]
    fail_kinds = Counter(k.split("/")[0] for k, _, _ in fails)
    msgs = [a for a in test["asserts"] if a["var"] not in ("count", "failing_resource")]
    for a in msgs:
        has_name = ".Object.K8sObject.Name" in a["jq"]
        m = re.match(r"^(\w+)(?: (\S+))?: (.*)$", a["value"], re.S) if has_name else \
            re.match(r"^(\w+): (.*)$", a["value"], re.S)
        if not m:
            problems.append(f"cannot read kind of message {a['value']!r}")
            continue
        kind = m.group(1)
        if kind not in fail_kinds:
            problems.append(f"message of kind {kind} but no failing {kind}: {a['value'][:80]!r}")
            continue
        if has_name:
            key = f"{kind}/{m.group(2)}"
            if key not in {k for k, _, _ in fails}:
                problems.append(f"message names {key}, which is not in FAILS")
            continue
        # quoted container names must belong to some failing object of that kind
        msg = m.group(2)
        quoted = re.findall(r'container "([^"]+)"', msg) + re.findall(r"container (\S+) mounts", msg)
        for q in quoted:
            cands = [k for k, o, _ in fails if k.startswith(kind + "/") and q in container_names(o)]
            if not cands:
                problems.append(f"container {q!r} of message is in no failing {kind}")
            owners = [k for k, o, _ in objs if k.startswith(kind + "/") and q in container_names(o)]
            if len(owners) == 1 and owners[0] not in {k for k, _, _ in fails}:
                problems.append(f"container {q!r} belongs only to {owners[0]}, which is not in FAILS")
    for a in test["asserts"]:
        if a["var"] == "failing_resource" and not any(k.endswith("/" + a["value"]) for k, _, _ in fails):
            problems.append(f"failing_resource {a['value']} not in FAILS")
    if test["count"] is not None and len(fails) > test["count"]:
        problems.append(f"{len(fails)} failing objects but only {test['count']} reports")
    for k, _, _ in fails:
        if not targeted(kinds, k.split("/")[0]):
            problems.append(f"{k} is not of a kind the check targets")
    # the fixtures' naming convention: dont-fire*/should-pass*/good-* pass, fire-*/should-fire*/bad-* fail
    for i, (k, _, _) in enumerate(objs):
        if not targeted(kinds, k.split("/")[0]):
            continue
        nm = k.split("/", 1)[1]
        if re.match(r"(dont-fire|should-pass|good-)", nm) and i in fail_idx:
            problems.append(f"{k} is named as passing but is in FAILS")
        if re.match(r"(fire|should-fire|bad-)", nm) and i not in fail_idx:
            problems.append(f"{k} is named as failing but is not in FAILS")
    return problems


def extract(git_dir: Path, work: Path, rev: str = COMMIT) -> tuple[list[dict], list[tuple[str, str]], list[str]]:
    """(cases, skipped bats tests as (name, reason), notes).  ``work`` is unused: everything is read from git."""
    rev = resolve(git_dir, rev, COMMIT)

    def show(path: str) -> str:
        return _show(git_dir, rev, path)

    bats = parse_bats(show("e2etests/bats-tests.sh"))
    builtin = {}
    for path in git(git_dir, "ls-tree", "--name-only", rev, "pkg/builtinchecks/yamls/").split():
        d = yaml.safe_load(show(path))
        builtin[d["name"]] = {"kinds": d.get("scope", {}).get("objectKinds", []), "params": d.get("params"),
                              "template": d.get("template"), "source": path}

    cases, skipped, notes = [], [], []
    for t in bats:
        name = t["name"]
        if t["tmp"] is None or not t["tmp"].startswith("tests/checks/") or name.startswith("flag-"):
            skipped.append((name, "not a check fixture test (flag/tooling test)"))
            continue
        check, params_note = None, None
        if t["include"]:
            if len(t["include"]) != 1:
                skipped.append((name, f"several --include {t['include']}"))
                continue
            check = t["include"][0]
        elif t["config"]:
            conf = yaml.safe_load(show(t["config"]))
            custom = conf.get("customChecks") or []
            inc = (conf.get("checks") or {}).get("include") or []
            if custom:
                skipped.append((name, f"custom check(s) {[c.get('name') for c in custom]} from {t['config']} "
                                      f"(template {sorted({c.get('template') for c in custom})}, own params "
                                      f"{[sorted((c.get('params') or {}).keys()) for c in custom]}); "
                                      f"not a built-in check"))
                continue
            if len(inc) == 1 and inc[0] in builtin:
                check = inc[0]
                params_note = f"via {t['config']} (include {inc}, no parameter override)"
            else:
                skipped.append((name, f"config {t['config']} does not select exactly one built-in check"))
                continue
        if check not in builtin:
            skipped.append((name, f"check {check!r} is not a built-in check"))
            continue
        if check != name:
            notes.append(f"test {name!r} runs check {check!r}")
        if check not in FAILS:
            skipped.append((name, "no FAILS entry"))
            continue
        kinds = builtin[check]["kinds"]
        text = show(t["tmp"])
        objs = objects_of(text)
        # resolve FAILS entries to object indices
        by_key = defaultdict(list)
        for i, (k, _, _) in enumerate(objs):
            by_key[k].append(i)
        fail_idx = set()
        for entry in FAILS[check]:
            key, _, nth = entry.partition("#")
            if key not in by_key:
                raise ValueError(f"{check}: {key} not in {t['tmp']}")
            fail_idx.update([by_key[key][int(nth) - 1]] if nth else by_key[key])
        problems = verify(check, t, objs, fail_idx, kinds)
        if check == "sorted-keys":
            total = sum(unsorted_mappings(yaml.compose(d)) for _, _, d in objs)
            per = {k: unsorted_mappings(yaml.compose(d)) for k, _, d in objs}
            if total != t["count"]:
                problems.append(f"sorted-keys re-implementation finds {total} reports, bats expects {t['count']}")
            if {k for k, c in per.items() if c} != {objs[i][0] for i in fail_idx}:
                problems.append(f"sorted-keys re-implementation flags {sorted(k for k, c in per.items() if c)}")
        if problems:
            raise ValueError(f"{check}: FAILS inconsistent with bats:\n  " + "\n  ".join(problems))

        expect_of = {}  # key -> set of expectations over its instances
        for i, (k, _, _) in enumerate(objs):
            if targeted(kinds, k.split("/")[0]):
                expect_of.setdefault(k, set()).add("fail" if i in fail_idx else "pass")
        conflicting = {k for k, v in expect_of.items() if len(v) > 1}
        fname = "manifest.yaml"
        base = {"peer": "kube-linter", "check": check, "source": t["tmp"]}
        if params_note:
            base["params"] = params_note
        if not conflicting:
            expect = {k: v.pop() for k, v in expect_of.items()}
            cases.append({**base, "files": {fname: text}, "expect": expect})
        elif check in CROSS_OBJECT:
            raise ValueError(f"{check}: duplicate keys {conflicting} with different expectations "
                             f"in a cross-object fixture")
        else:
            # same Kind/name twice with different expectations: one case per object (exact document text),
            # which is equivalent for a check that looks at one object at a time.
            notes.append(f"{check}: {t['tmp']} repeats {sorted(conflicting)} with different expectations; "
                         f"split into one case per document")
            for i, (k, _, doc_text) in enumerate(objs):
                if not targeted(kinds, k.split("/")[0]):
                    continue
                cases.append({**base, "source": f"{t['tmp']}#doc{i + 1}", "files": {fname: doc_text},
                              "expect": {k: "fail" if i in fail_idx else "pass"}})

    return cases, skipped, notes


def cases(git_dir: Path, work: Path, rev: str = COMMIT) -> list[dict]:
    """One case per bats fixture (or per document, see extract): {"peer", "check", "source", "files", "expect"}."""
    return extract(git_dir, work, rev)[0]
