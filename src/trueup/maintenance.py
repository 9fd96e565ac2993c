"""Commands that look after what runs leave behind: baselines, rule documentation,
the audit log, and fixes to live files."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from .errors import UsageError
from .options import CheckSettings, Options
from .wiring import (
    audit_run, say, checker_for, configured_baseline, environments_for, find_config, parse_date,
    relative_name, rendered_findings, report, threshold,
)
from .pins import PUBLISHED, Pin, installed_pin
from .tree import real_path


def fix(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    """Dry run by default: what fixing the live files would change; ``--apply`` writes it, safely."""
    from .model import UNREAD_RULES, Summary
    from .patch import deletions, plan_file_edits
    from .patch.changes import changes_of
    from .patch.apply import apply_edit
    from .patch.create import create_file, plan_creations

    config = find_config(options.config, required=True)
    envs = environments_for(config, options.env)
    summary = Summary()
    changes: list = []
    creations: list = []
    findings = list(rendered_findings(config, envs, None, summary, drift=True, changes=changes, creations=creations))
    broken = [f for f in findings if f.rule in UNREAD_RULES]  # a duplicate key is no reason to stop
    for finding in broken:
        say(f"trueup: {finding.file}:{finding.line or ''}: {finding.message}", stderr)
    if broken:
        return 2
    changes = changes_of(changes)
    edits, notes = plan_file_edits(changes, options.prune, deletions(creations))
    new_files, missing = plan_creations(creations, _live_roots(config, envs))
    failed = 0
    applied = []
    # Each file to create, then each to edit or remove: a dry run shows its diff (secrets masked), --apply
    # writes it. (what it would do, what it did, how, whether a done line carries the writer's message)
    steps = [(new, "create", "created", create_file, "", False) for new in new_files] + [
        (edit, "remove" if edit.deleted else "fix", "removed" if edit.deleted else "fixed", apply_edit,
         _values_counted(changes, edit.name), True) for edit in edits]
    for item, verb, done, write, counted, says in steps:
        if not options.apply:
            diff = item.shown_diff()
            shown = "" if not item.secret else "secret values masked" if diff is not None else \
                "holds a secret and does not parse; diff not shown"
            say(f"would {verb} {item.name}{counted}:{' ' + shown if shown else ''}", stdout)
            if diff is not None:
                stdout.write(diff)
            continue
        result = write(item)
        applied.append(result)
        failed += not result.ok
        message = f": {result.message}" if says or not result.ok else ""
        say(f"{done if result.ok else 'refused'} {item.name}{message}", stdout)
    for note in notes:
        say(f"not fixed: {note}; left untouched, edit it by hand", stdout)
    for note in missing:
        say(f"not fixed: {note}", stdout)
    failed += bool(options.apply and (notes or missing))
    if not options.apply:
        count = len(edits) + len(new_files)
        say(f"dry run: {count} {'file' if count == 1 else 'files'} would change; "
            "run with --apply to write them", stdout)
    from .audit import entry

    audit_run(options.command, options.argv, config, envs, summary, [entry(f) for f in findings], 1 if failed else 0,
              changes=[{"file": a.name, "sha256_before": a.before, "sha256_after": a.after} for a in applied if a.ok])
    return 1 if failed else 0


def _values_counted(changes: list, name: str) -> str:
    """`` (3 values)``: how many drifted values an edit of the live file ``name`` fixes."""
    count = sum(1 for c in changes if relative_name(c.live.source.file) == name)
    return f" ({count} {'value' if count == 1 else 'values'})" if count else ""


def _live_roots(config: Any, envs: list[str]) -> list[tuple[str, Path]]:
    """(live path as drift names it, the directory) of every target of ``envs`` whose live side is a directory."""
    from .targets import live_root

    roots = []
    for env in envs:
        for target in config.targets:
            if target.live is not None and target.applies_to(env):
                path, display = live_root(config, target, env)
                if path.is_dir():
                    roots.append((display, path))
    return roots


def _write_output(path: Path, text: str, root: Path | None = None) -> None:
    """Write a file trueup was asked to write, whole or not at all and through no symlink below
    ``root`` (else below the working directory, or the file's own directory)."""
    from . import safefs

    try:
        safefs.write_named(path, text.encode("utf-8"), root)
    except safefs.Unsafe as exc:
        raise UsageError(f"cannot write: {exc.reason}", exc.path) from None
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", str(path)) from None


def audit_command(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    import datetime as dt

    from . import audit

    config = find_config(options.config, required=False)
    name = options.log or config.audit.path
    path = Path(name) if Path(name).is_absolute() else config.root / name
    if not path.is_file():
        raise UsageError("no audit log here", name)
    if options.audit_command == "verify":
        count, problem = audit.verify(path)
        if problem is not None:
            say(f"{name}:{problem.line}: {problem.message}", stdout)
            return 1
        say(f"{name}: {count} records, chain intact", stdout)
        return 0
    since = parse_date(options.since, "--since") if options.since else None
    for record in audit.records(path):
        if since and dt.datetime.fromisoformat(record["time"]).date() < since:
            continue
        matches = [f for f in record.get("findings", [])
                   if (not options.only_rule or f.get("rule") == options.only_rule) and (not options.target or f.get("target") == options.target)]
        if (options.only_rule or options.target) and not matches:
            continue
        who = record.get("actor") if isinstance(record.get("actor"), dict) else {}
        actor = who.get("ci") or who.get("email") or "?"
        envs = ",".join(str(e) for e in record.get("environments") or []) or "-"
        say(f"{record['time']}  #{record['seq']}  {record['command']:<8} env {envs:<12} exit {record.get('exit_code')}  "
              f"{len(record.get('findings', []))} findings  by {actor}", stdout)
        for finding in matches if (options.only_rule or options.target) else []:
            say(f"    {finding.get('rule')} {finding.get('target')} {finding.get('path') or '(whole)'}", stdout)
    return 0


def _git_email(root: Path) -> str | None:
    try:
        import git

        return git.Repo(root, search_parent_directories=True).config_reader().get_value("user", "email", None)
    except Exception:  # not a repository, no git, no email set: the caller asks for --owner
        return None


def baseline(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    import datetime as dt

    from .model import Summary
    from .policy.baseline import baseline_text, update_baseline
    from .policy.suppress import Suppressions

    config = find_config(options.config, required=True)
    name, max_days = config.baselines.file, config.baselines.max_days
    previous = configured_baseline(config, name)
    today = dt.date.today()
    limit = today + dt.timedelta(days=max_days)
    expires = limit
    if options.expires:
        expires = parse_date(options.expires, "--expires")
        if not today < expires <= limit:
            raise UsageError(f"--expires must be after today and at most {max_days} days away ({limit})")
    owner = options.owner or _git_email(config.root)
    if not owner:
        raise UsageError("give --owner (no git user.email to default to)")
    envs = environments_for(config, options.env)
    summary = Summary()
    findings = Suppressions(config.root).apply(
        rendered_findings(config, envs, checker_for(config, CheckSettings()), summary, drift=True)
    )
    entries, counts = update_baseline(previous, findings, reason=options.reason, owner=owner, ticket=options.ticket,
                                      expires=expires)
    _write_output(config.root / name, baseline_text(entries), config.root)
    audit_run(options.command, options.argv, config, envs, summary, [], 0)
    say(f"baseline {name}: {len(entries)} entries ({counts.added} new, {counts.kept} kept, {counts.removed} resolved)",
        stdout)
    return 0


def rules(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    from .policy import docs
    from .policy.packs import load_policy, settings_from_config

    from dataclasses import replace

    config = find_config(options.config, required=False)
    # Every rule the config's packs hold, whatever its profile: the listing says which profile runs it.
    policy = load_policy(replace(settings_from_config(config.policy), profile="strict"), config.root)
    rules = [*policy.rules, *policy.cross_file]
    if options.rules_command == "list":
        stdout.write(docs.listing(rules))
    elif options.rules_command == "show":
        found = {r.id: r for r in rules}.get(options.rule_id.upper())
        if found is None:
            raise UsageError(f"no rule {options.rule_id!r} (see `trueup rules list`)")
        stdout.write(docs.show(found))
    else:
        page = docs.markdown(rules)
        if options.output:
            _write_output(Path(options.output), page)
        else:
            stdout.write(page)
    return 0


def report_merge(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    """JSON reports (shards of one run, or one report) as one report in any format."""
    from .model import Summary
    from .report.merge import merge

    if (options.previous or options.history) and options.format not in ("html", "json", "markdown"):
        raise UsageError("--previous and --history are for --format html, json or markdown")
    config = find_config(options.config, required=False)
    paths = [Path(p) for p in options.reports]
    merged = merge(paths, allow_mixed=options.allow_mixed)
    extra: dict = {}
    if options.previous or options.history:
        from .report.since import history, previous_findings

        if options.previous:
            extra["previous"] = previous_findings(Path(options.previous))
        # A history file that is one of the reports merged is this run, which is always the last point.
        extra["history"], extra["env_history"] = history(
            [Path(h) for h in options.history], skip=paths, command=None if merged.command == "report merge" else merged.command)
    if options.fail_on is None and merged.fail_on is not None:  # the threshold the reports were made with
        options = replace(options, fail_on=merged.fail_on)
    summary = Summary(fail_on=threshold(options.fail_on, config))
    summary.files, summary.documents = merged.files, merged.documents
    summary.unvalidated.update(merged.skipped)
    return report(options, config, merged.findings, summary, merged.environments, stdout, stderr,
                  merged_from=merged.command, history=extra)


WORKFLOWS = ("pr-check.yml", "nightly-drift.yml")


def _scaffold_files(pin: Pin) -> dict[str, str]:
    """Relative path -> text of every file ``trueup init`` writes (``dot-x`` is written ``.x``).

    The hooks get trueup from ``pin``; the two workflows are this repository's own, pointed at the
    pinned action and package (the published ones at the release tag where the pin is not on github.com)."""
    from importlib import resources

    from . import __version__

    root = Path(str(resources.files("trueup"))) / "scaffold"
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(root).as_posix()
            name = "/".join("." + part[4:] if part.startswith("dot-") else part for part in rel.split("/"))
            files[name] = (path.read_text(encoding="utf-8").replace("{version}", __version__)
                           .replace("{repo}", pin.repo).replace("{rev}", pin.rev))
    shipped = Path(str(resources.files("trueup"))) / "workflows"
    workflows = shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / ".github" / "workflows"
    action = pin.action or f"{PUBLISHED.removeprefix('https://github.com/')}@v{__version__}"
    repo, rev = action.split("@", 1)
    install = f'"trueup @ git+https://github.com/{repo}@{rev}"'
    for name in WORKFLOWS:
        text = (workflows / name).read_text(encoding="utf-8")
        text = text.replace("uses: ./\n", f"uses: {action}\n")
        text = text.replace("pip install --disable-pip-version-check .\n", f"pip install --disable-pip-version-check {install}\n")
        files[f".github/workflows/{name}"] = text
    return files


def init(options: Options, stdout: IO[str], stderr: IO[str]) -> int:
    """A working GitOps repository in DIR: config, a template, values, a policy, a baseline,
    pre-commit hooks and the GitHub workflows. Nothing that exists is overwritten."""
    target = Path(options.directory)
    if target.exists() and not target.is_dir():
        raise UsageError("not a directory", str(target))
    pin = installed_pin()
    if options.repo or options.rev:
        pin = Pin(options.repo or pin.repo, options.rev or pin.rev, "as asked (--repo, --rev)")
    files = _scaffold_files(pin)
    taken = [name for name in files if (target / name).exists()]
    if taken:
        raise UsageError("exists; trueup init writes only files that are not there yet", str(target / taken[0]))
    from . import safefs

    base, above = safefs.anchor(target)
    for name, text in files.items():
        try:
            safefs.write_atomic(base, above + Path(name).parts, text.encode("utf-8"), replace=False)
        except FileExistsError:
            raise UsageError("appeared while trueup init was writing; not overwritten", str(target / name)) from None
        except safefs.Unsafe as exc:
            raise UsageError(f"cannot write: {exc.reason}", exc.path) from None
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror or exc}", str(target / name)) from None
    where = "" if real_path(target) == real_path(Path.cwd()) else f"cd {options.directory} && "
    say(f"trueup: wrote {len(files)} files; next: {where}trueup check", stdout)
    say(f"trueup: hooks get trueup from {pin.repo} at {pin.rev}: {pin.why}; --repo and --rev choose"
        + ("" if pin.action else "; the workflows use the published action at the release tag"), stdout)
    return 0
