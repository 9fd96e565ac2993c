"""The stable JSON report: one object with ``findings``, ``summary`` and the tool's version.

Findings are written as they arrive, so the report streams; its JSON Schema ships
in the package (``trueup/schemas/report.schema.json``).
"""
from __future__ import annotations

import json
from typing import IO

from .. import __version__
from ..errors import TrueupError
from ..model import Finding, Summary
from .present import RunInfo
from .since import Since

SCHEMA_ID = "https://trueup.dev/schemas/report.schema.json"


class JsonReporter:
    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        self.count = 0
        self.info = info
        self.since = Since(info.previous) if info.previous is not None else None
        head = {
            "$schema": SCHEMA_ID,
            "tool": "trueup",
            "version": __version__,
            "command": info.command,
            "environments": list(info.environments),
            **({"run": info.run.to_json()} if info.run is not None else {}),
        }
        self.stream.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "findings": [')

    def write(self, finding: Finding) -> None:
        sep = "," if self.count else ""
        data = finding.to_json()
        if self.since is not None:
            data["new"] = self.since.see(finding)
        self.stream.write(f"{sep}\n  {json.dumps(data, ensure_ascii=False, default=str)}")
        self.count += 1

    def finish(self, summary: Summary, error: TrueupError | None = None) -> None:
        tail: dict = {"summary": summary.to_json()}
        if self.since is not None:  # what the previous report had that this run does not
            tail["resolved"] = [{"fingerprint": fp, "rule": rule, "environment": env, "target": target, "path": path}
                                for fp, (rule, env, target, path) in self.since.resolved()]
        if self.info.history:
            tail["history"] = [{"label": label, "drift": drift, "violations": violations}
                               for label, drift, violations in self.info.history]
        if error is not None:
            tail["summary"]["exit_code"] = 2
            tail["error"] = {"message": error.cause, "file": error.file, "line": error.line, "column": error.column}
        body = json.dumps(tail, ensure_ascii=False)[1:]
        self.stream.write(("\n" if self.count else "") + "], " + body + "\n")


def make(stream: IO[str], info: RunInfo) -> JsonReporter:
    return JsonReporter(stream, info)
