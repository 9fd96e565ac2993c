"""What a rule id means, for reporters that describe rules (SARIF's ``tool.driver.rules``).

Policy rules come from the built-in packs (loaded once, on first use); trueup's own
findings (unreadable input, schema errors, drift, expired baselines) from the table
below. Any other id (a user's or a plugin's pack) gets a generic entry built from the id.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..model import Severity


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    description: str
    severity: Severity
    remediation: str = ""
    # The built-in pack ("kubernetes", "crossfile"...), or the family of one of trueup's own rules
    # ("input", "schema", "drift", "baseline", "config"); "policy" for a rule nobody here knows.
    pack: str = "policy"


_S = Severity
# id: (family, title, severity, description, remediation)
_OWN: dict[str, tuple[str, str, Severity, str, str]] = {
    "input.parse": ("input", "Input files can be read", _S.HIGH,
                    "The file is not valid YAML, JSON, JSONC, TOML, INI or dotenv (or not UTF-8 text), so nothing in "
                    "it was checked; the rest of the tree still was.",
                    "Fix the syntax error at the reported line and column."),
    "input.unreadable": ("input", "Files named on the command line can be opened", _S.CRITICAL,
                         "A path given on the command line is missing, not a file, or cannot be opened, so the run "
                         "is incomplete.",
                         "Name a file that exists and can be read."),
    "input.not-regular": ("input", "Only regular files are read", _S.INFO,
                          "A FIFO, socket or device met in a walk: reading it could hang or never end, so it "
                          "was skipped (named on the command line, it is refused).",
                          "Nothing to do, or remove it from the tree."),
    "input.template": ("input", "Templates are not read as data", _S.INFO,
                       "The file does not parse and holds template markers ({{ or {%): it is a template (Helm, Go, "
                       "Jinja2), valid only once rendered, so it was not checked as it stands.",
                       "Nothing to do; check what it renders (trueup validate on the rendered output)."),
    "schema.unknown-kind": ("schema", "Kubernetes kinds exist", _S.HIGH,
                            "The kind is not one the Kubernetes API serves under that apiVersion (usually a typo); "
                            "the API server would reject the object.",
                            "Fix the kind's spelling (the message suggests the nearest known kind)."),
    "schema.unknown-api-version": ("schema", "Kubernetes kinds are served at their apiVersion", _S.HIGH,
                                   "The apiVersion does not serve this kind (a typo, or a group that never had it).",
                                   "Use the apiVersion the message suggests."),
    "schema.malformed-object": ("schema", "Kubernetes objects have an apiVersion and a kind", _S.HIGH,
                                "The document is meant as a Kubernetes object but lacks its apiVersion or kind (or "
                                "one is empty), so nothing can apply it.",
                                "Add the missing apiVersion or kind."),
    "schema.crd": ("schema", "CustomResourceDefinitions can validate their resources", _S.HIGH,
                   "A CustomResourceDefinition in the tree has no usable schema or names, so its custom resources "
                   "cannot be validated against it.",
                   "Fix the CRD (spec.group, spec.names.kind, spec.versions[].schema.openAPIV3Schema)."),
    "K8S-REMOVED-API": ("schema", "Kubernetes API versions are still served", _S.HIGH,
                        "The apiVersion was removed from Kubernetes at or before the version checked against "
                        "(kubernetes.version): a cluster of that version rejects the object.",
                        "Move the object to the replacement apiVersion the message names."),
    "K8S-DEPRECATED-API": ("schema", "Kubernetes API versions are not deprecated", _S.MEDIUM,
                           "The apiVersion is deprecated and will be removed in the release the message names.",
                           "Move the object to the replacement apiVersion before that release."),
    "drift.not-compared": ("drift", "Every environment is compared with live state", _S.INFO,
                           "No target of trueup.yaml covers this environment, so nothing of it was compared with "
                           "live state: it is not known to be in sync.",
                           "Add a target with a live side for the environment, or leave it out of the run."),
    "input.render": ("input", "Templates render", _S.CRITICAL,
                     "A template failed to render for this environment (an undefined variable, a syntax error, a "
                     "failing filter), so its output was not checked and the run is incomplete.",
                     "Fix the template or the environment's values at the reported place."),
    "input.duplicate-key": ("input", "Mappings have no duplicate keys", _S.HIGH,
                            "A key appears twice in one mapping: parsers silently keep the later value, so the "
                            "earlier one is dead text that readers take for configuration.",
                            "Remove one of the two keys, keeping the value that is meant."),
    "schema": ("schema", "Documents match their schema", _S.HIGH,
               "The value does not match the JSON Schema for its document (the Kubernetes or compose schema, or one "
               "mapped in trueup.yaml): the tool that reads it would reject it or misread it.",
               "Change the value to what the schema expects (see the message), or fix the schema mapping."),
    "schema.missing": ("schema", "Documents have a schema", _S.LOW,
                       "No schema is known for this document (a custom resource with no CRD in the tree), so it "
                       "was not validated.",
                       "Point kubernetes.crds or kubernetes.schema_locations at its CRD or schema, or set "
                       "kubernetes.missing_schemas to say how to treat it."),
    "CONFIG-UNKNOWN-KEY": ("schema", "Config files use only known keys", _S.MEDIUM,
                           "A key that the file's schema does not define: usually a typo, which the application "
                           "ignores, so the setting it was meant to change keeps its default.",
                           "Fix the key's spelling, or add it to the schema."),
    "drift.changed": ("drift", "Live values match the desired state", _S.HIGH,
                      "The value live differs from the value in git.",
                      "Apply the desired state, or change git to match what is live (trueup drift --patches)."),
    "drift.missing": ("drift", "What git declares exists live", _S.HIGH,
                      "A value, object or file in the desired state is missing live.",
                      "Apply the desired state, or remove it from git if it is gone on purpose."),
    "drift.extra": ("drift", "Nothing exists live that git does not declare", _S.HIGH,
                    "A value, object or file exists live but not in the desired state: a manual change, or "
                    "something another controller writes.",
                    "Add it to git, remove it live, or ignore the path in trueup.yaml with a reason."),
    "drift.ignored": ("drift", "Ignored drift", _S.INFO,
                      "A difference between live and desired state that trueup.yaml ignores, with the reason given, "
                      "or a live field another component writes (a controller, an admission plugin, kubectl, Argo CD, "
                      "Flux, Helm), which applying git leaves alone (shown with --verbose only).",
                      "Nothing to do; remove the ignore rule, or set compare_written on the target, to have it "
                      "checked again."),
    "baseline.expired": ("baseline", "Baseline entries are current", _S.HIGH,
                         "An accepted finding's baseline entry has expired, or reaches beyond the configured "
                         "maximum lifetime.",
                         "Fix the finding, or renew the entry with a new date (trueup baseline)."),
    "change.added": ("change", "What the change adds to an environment", _S.INFO,
                     "An object, file or value that the head revision renders and the base did not (trueup preview).",
                     "Review it: this is what merging the change adds."),
    "change.removed": ("change", "What the change removes from an environment", _S.INFO,
                       "An object, file or value that the base revision rendered and the head does not (trueup preview).",
                       "Review it: this is what merging the change removes."),
    "change.changed": ("change", "What the change alters in an environment", _S.INFO,
                       "A value the head revision renders differently from the base (trueup preview).",
                       "Review it: this is what merging the change alters."),
    "change.impact": ("change", "What else a change touches", _S.INFO,
                      "A workload that reads a ConfigMap or Secret the change alters (it needs a rollout to see "
                      "it), or a compose service that depends on a service the change alters (trueup preview).",
                      "Roll the workload out with the change, or check the dependent service."),
    "change.values": ("change", "Every file a changed values key reaches", _S.INFO,
                      "A values key the change alters, with every rendered file whose template read it while "
                      "rendering (trueup preview).",
                      "Review those files' changes together."),
    "change.fixed": ("change", "Problems the change fixes", _S.INFO,
                     "A finding the base revision had that the head no longer has (trueup preview).",
                     "Nothing to do."),
}
_FAMILIES = {
    "input": "An input could not be read as trueup expects.",
    "schema": "A document does not match its schema.",
    "drift": "The live state differs from the desired state in git.",
    "baseline": "A problem with the baseline of accepted findings.",
    "config": "A problem with trueup's own configuration.",
    "change": "What a change to the desired state does to an environment (trueup preview).",
}


@lru_cache(maxsize=1)
def _builtin() -> dict[str, RuleInfo]:
    """Rules of the built-in packs and built-in cross-file rules: what ``trueup rules list`` shows
    without a config, minus third-party plugins (whose ids get the generic entry)."""
    from ..policy.packs import PolicySettings, load_policy

    policy = load_policy(PolicySettings(entry_points=False, profile="strict"), Path.cwd())
    return {
        rule.id: RuleInfo(rule.id, rule.title, rule.description, rule.severity, rule.remediation, rule.pack)
        for rule in [*policy.rules, *policy.cross_file]
    }


def describe(rule_id: str) -> RuleInfo:
    own = _OWN.get(rule_id)
    if own is not None:
        return RuleInfo(rule_id, own[1], own[3], own[2], own[4], own[0])
    family = rule_id.split(".", 1)[0]
    if "." in rule_id and family in _FAMILIES:
        return RuleInfo(rule_id, rule_id, _FAMILIES[family], Severity.MEDIUM, "", family)
    found = _builtin().get(rule_id)
    if found is not None:
        return found
    return RuleInfo(rule_id, rule_id, f"Rule {rule_id}, from a check pack outside trueup.", Severity.MEDIUM)
