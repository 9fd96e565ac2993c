"""The audit log: one hash-chained JSON Lines record per run, safe to append from many processes.

Each record carries the previous record's hash and its own SHA-256 over its
canonical JSON (an HMAC when ``TRUEUP_AUDIT_KEY`` is set, so rewriting the whole
file cannot forge it). ``verify`` names the first record that was edited, removed,
reordered or inserted. Records hold rules, targets, pointers and fingerprints,
never a value; the command line is stored with secrets redacted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from . import safefs
from .config import AuditSettings
from .errors import ConfigError
from .mask import MASK, is_secret_key, looks_secret
from .model import Finding, Summary

DEFAULT_PATH = AuditSettings().path
GENESIS = "0" * 64
KEY_VARIABLE = "TRUEUP_AUDIT_KEY"


def canonical(record: dict[str, Any]) -> bytes:
    # "surrogatepass": a lone surrogate (which JSON escapes can carry from hostile input) hashes
    # deterministically instead of failing; every other string encodes as plain UTF-8.
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _line(record: dict[str, Any]) -> bytes:
    """The record as one line of UTF-8: lone surrogates written as JSON escapes (they read back the same)."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return (_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n").encode("utf-8")


def seal(record: dict[str, Any], key: bytes | None) -> str:
    """The record's hash: SHA-256 of its canonical JSON without ``hash``, keyed when a key is set."""
    body = canonical({k: v for k, v in record.items() if k != "hash"})
    if key:
        import hmac

        return "hmac-sha256:" + hmac.new(key, body, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _key() -> bytes | None:
    value = os.environ.get(KEY_VARIABLE)
    return value.encode("utf-8") if value else None


def redact(argv: Sequence[str]) -> list[str]:
    """The command line without secrets: ``--token X``, ``PASSWORD=x`` and secret-looking values masked."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(MASK)
            hide_next = False
            continue
        name, sep, _ = arg.lstrip("-").partition("=")
        if arg.startswith("--") and is_secret_key(name):
            out.append(f"{arg.split('=', 1)[0]}={MASK}" if sep else arg)
            hide_next = not sep
        elif looks_secret(arg):
            out.append(MASK)
        else:
            out.append(arg)
    return out


def _git(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(actor, repository) from git; empty when this is no repository or git is missing."""
    try:
        import git

        repo = git.Repo(root, search_parent_directories=True)
        reader = repo.config_reader()
        actor = {"name": reader.get_value("user", "name", None), "email": reader.get_value("user", "email", None)}
        try:
            commit = repo.head.commit.hexsha
        except ValueError:
            commit = None
        branch = None if repo.head.is_detached else repo.active_branch.name
        return actor, {"commit": commit, "branch": branch, "dirty": repo.is_dirty(untracked_files=False)}
    except Exception:  # not a repository, no git binary, unborn branch: the record says less
        return {}, {}


def enabled(settings: AuditSettings) -> bool:
    """Record when the config says so, or by default in CI. A pre-commit hook (``PRE_COMMIT`` set, by
    pre-commit itself, in CI too) never records: a hook must not modify the files it checks."""
    if os.environ.get("PRE_COMMIT"):
        return False
    when = settings.enabled
    if isinstance(when, bool):
        return when
    return bool(os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS"))


def entry(finding: Finding) -> dict[str, Any]:
    """What the log keeps of a finding: where and which rule, never a value."""
    return {"fingerprint": finding.fingerprint, "rule": finding.rule, "target": finding.target,
            "path": finding.path, "waived": finding.waived}


def build_record(
    *, command: str, argv: Sequence[str], root: Path, environments: Sequence[str], summary: Summary,
    entries: Iterable[dict[str, Any]], exit_code: int,
) -> dict[str, Any]:
    import socket
    import uuid

    actor, repository = _git(root)
    if os.environ.get("GITHUB_ACTOR"):
        actor["ci"] = os.environ["GITHUB_ACTOR"]
    return {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run": str(uuid.uuid4()),
        "command": command,
        "argv": redact(argv),
        "actor": actor,
        "host": socket.gethostname(),
        "repository": repository,
        "environments": list(environments),
        "counts": {"by_rule": dict(sorted(summary.by_rule.items())),
                   "by_severity": {k: v for k, v in summary.by_severity.items() if v}, "waived": summary.waived},
        "findings": list(entries),
        "patches": [],
        "changes": [],
        "exit_code": exit_code,
    }


def _last_line(handle: Any, block: int = 8192) -> bytes | None:
    """The file's last non-empty line, read from its end (appends stay cheap as the log grows)."""
    position = handle.seek(0, os.SEEK_END)
    data = b""
    while position > 0:
        step = min(block, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
        body = data.rstrip(b"\r\n")
        if b"\n" in body:
            return body.rsplit(b"\n", 1)[1]
    return data.rstrip(b"\r\n") or None


def _open_confined(path: Path, root: Path) -> int:
    """The log opened for reading and appending, through no symlink from ``root`` down (a pull
    request could plant one at ``.trueup/audit.jsonl``), and never outside ``root``."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = None
    if relative is None or ".." in relative.parts or not relative.parts:
        raise ConfigError("the audit log must be a file inside the repository", str(path))
    try:
        dir_fd = safefs.open_dir(root, relative.parts[:-1], create=True)
    except safefs.Unsafe as exc:
        raise ConfigError(f"the audit log's directory is {exc.reason.split(';')[0]}; refused, not followed",
                          exc.path) from None
    except OSError as exc:
        raise ConfigError(f"cannot write the audit log: {exc.strerror or exc}", str(path)) from None
    try:
        fd = safefs.open_file(dir_fd, relative.parts[-1], os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK,
                              0o644)
    except safefs.Unsafe:
        raise ConfigError("the audit log is a symlink; refused, not followed", str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot write the audit log: {exc.strerror or exc}", str(path)) from None
    finally:
        os.close(dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError("the audit log is not a regular file; refused", str(path))
    os.set_blocking(fd, True)
    return fd


def append(path: Path, record: dict[str, Any], root: Path | None = None) -> dict[str, Any]:
    """Append under an exclusive lock: read the last hash, chain, write, fsync, unlock. ``root``:
    the repository the log must stay in, reached through no symlink."""
    if root is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        root = path.parent
    import fcntl

    fd = _open_confined(path, root)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            last = _last_line(handle)
            previous = _chainable(last, path) if last else None
            record = {**record, "seq": (previous["seq"] + 1) if previous else 1,
                      "prev": previous["hash"] if previous else GENESIS}
            record["hash"] = seal(record, _key())
            handle.seek(0, os.SEEK_END)
            handle.write(_line(record))
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return record


def _chainable(line: bytes, path: Path) -> dict[str, Any]:
    """The last record, if a new one can be chained to it; else a refusal (never a record built on a broken one)."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        record = None
    if not isinstance(record, dict) or type(record.get("seq")) is not int or not isinstance(record.get("hash"), str):
        raise ConfigError("the audit log's last record is unreadable; nothing appended (run `trueup audit verify`)",
                          str(path))
    return record


@dataclass
class Problem:
    line: int
    message: str


def verify(path: Path) -> tuple[int, Problem | None]:
    """(records read, the first problem): edits, removals, reorderings, insertions, broken lines."""
    key = _key()
    previous_hash, expected_seq, count = GENESIS, 1, 0
    for number, line in _lines(path):
        if line is None:
            return count, Problem(number, "is not UTF-8 text (edited)")
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return count, Problem(number, "is not valid JSON (edited or truncated)")
        if not isinstance(record, dict):
            return count, Problem(number, "is not a record, a JSON object (edited or inserted)")
        count += 1
        run = record.get("run", "?")
        if record.get("hash") != seal(record, key):
            return count, Problem(number, f"record {record.get('seq')} (run {run}) was edited: its hash does not match")
        if record.get("seq") != expected_seq or record.get("prev") != previous_hash:
            return count, Problem(
                number, f"record {record.get('seq')} (run {run}) does not follow record {expected_seq - 1}: "
                "a record was removed, reordered or inserted",
            )
        previous_hash, expected_seq = record["hash"], expected_seq + 1
    return count, None


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Each non-blank line with its number; None for a line that is not UTF-8 (edited)."""
    if not path.is_file():
        raise ConfigError("no audit log here", str(path))
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            if line.strip():
                yield number, line


def _readable(record: Any) -> bool:
    """Whether ``audit show`` can read it: an object with a time, a sequence number, a command and findings."""
    if not isinstance(record, dict) or type(record.get("seq")) is not int or not isinstance(record.get("command"), str):
        return False
    try:
        dt.datetime.fromisoformat(record.get("time"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    findings = record.get("findings", [])
    return isinstance(findings, list) and all(isinstance(f, dict) for f in findings)


def records(path: Path) -> Iterator[dict[str, Any]]:
    for number, line in _lines(path):
        if line is None:
            raise ConfigError("audit record is not UTF-8 text (run `trueup audit verify`)", str(path), number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise ConfigError("audit record is not valid JSON (run `trueup audit verify`)", str(path), number) from None
        if not _readable(record):
            raise ConfigError("audit record is not one trueup wrote (run `trueup audit verify`)", str(path), number)
        yield record
