"""patch/edits.py: git-apply-able unified diffs (with git's no-newline marker), names for diff headers,
a deleted file's diff, and the masked diffs that never show a secret value or its base64 form."""
from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trueup.model import Source
from trueup.patch.edits import FileEdit, masked_diff, relative_name, text_holds_secret, unified_diff

NO_NEWLINE = "\\ No newline at end of file\n"


@pytest.mark.parametrize("old, new, diff", [
    ("a\nb\nc\n", "a\nB\nc\n", "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"),
    ("a\nb", "a\nc", f"--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n{NO_NEWLINE}+c\n{NO_NEWLINE}"),
    ("a\nb\n", "a\nb", f"--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n{NO_NEWLINE}"),
    ("a\nb", "a\nb\n", f"--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n{NO_NEWLINE}+b\n"),
    ("", "a\n", "--- a/x.yaml\n+++ b/x.yaml\n@@ -0,0 +1 @@\n+a\n"),
    ("a\n", "", "--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +0,0 @@\n-a\n"),
    ("a\n", "a\n", ""),
], ids=["changed-line", "both-without-newline", "newline-removed", "newline-added", "created", "emptied", "same"])
def test_unified_diff_exact(old: str, new: str, diff: str) -> None:
    assert unified_diff(old, new, "x.yaml") == diff


@pytest.mark.parametrize("old, new", [
    ("a\nb", "a\nc"), ("a\nb\n", "a\nb"), ("a\nb", "a\nb\n"), ("one\ntwo\nthree\n", "one\n2\nthree\nfour"),
], ids=["both-without-newline", "newline-removed", "newline-added", "mixed"])
def test_git_applies_the_diff(tmp_path: Path, old: str, new: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "x.yaml").write_text(old)
    (tmp_path / "p.diff").write_text(unified_diff(old, new, "x.yaml"))
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True)
    assert (tmp_path / "x.yaml").read_text() == new


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=6), st.lists(st.sampled_from(["a", "b", "d"]), max_size=6),
       st.booleans(), st.booleans())
def test_diff_is_empty_exactly_when_texts_are_equal(old_lines, new_lines, old_end, new_end) -> None:
    old = "\n".join(old_lines) + ("\n" if old_end and old_lines else "")
    new = "\n".join(new_lines) + ("\n" if new_end and new_lines else "")
    diff = unified_diff(old, new, "f")
    assert (diff == "") == (old == new)
    assert diff == "" or (diff.startswith("--- a/f\n+++ b/f\n@@ ") and diff.endswith("\n"))
    removed = [line[1:] for line in diff.splitlines()[2:] if line.startswith("-")]
    added = [line[1:] for line in diff.splitlines()[2:] if line.startswith("+")]
    assert len(removed) - len(added) == len(old.splitlines()) - len(new.splitlines())


def test_relative_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert relative_name("live/app.yaml") == "live/app.yaml"
    assert relative_name("./live/../live/app.yaml") == "live/../live/app.yaml"
    assert relative_name(str(tmp_path / "live/app.yaml")) == "live/app.yaml"
    assert relative_name("/elsewhere/app.yaml") == "elsewhere/app.yaml"


def _source(text: str, name: str = "live/s.yaml", fmt: str = "yaml") -> Source:
    return Source(name, Path(name).name, text, fmt)


def test_deleted_file_diff() -> None:
    edit = FileEdit("live/a.yaml", _source("a: 1\nb: 2\n", "live/a.yaml"), "", False, deleted=True)
    assert edit.diff == "--- a/live/a.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a: 1\n-b: 2\n"
    assert edit.shown_diff() == edit.diff


def test_edit_without_secret_is_shown_as_is() -> None:
    edit = FileEdit("live/a.yaml", _source("port: 1\n", "live/a.yaml"), "port: 2\n", False)
    assert edit.shown_diff() == edit.diff == "--- a/live/a.yaml\n+++ b/live/a.yaml\n@@ -1 +1 @@\n-port: 1\n+port: 2\n"


OLD_PASSWORD, NEW_PASSWORD = "old-hunter2-pw", "new-hunter3-pw"
SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: {b64}
stringData:
  token: {token}
  key.pem: |
    -----BEGIN PRIVATE KEY-----
    {key}
    -----END PRIVATE KEY-----
"""


def _secret(password: str, token: str, key: str) -> str:
    return SECRET.format(b64=base64.b64encode(password.encode()).decode(), token=token, key=key)


def test_shown_diff_masks_every_secret_value_and_base64() -> None:
    old = _secret(OLD_PASSWORD, "plain-old-token-1", "MIIEoldKEYmaterial")
    new = _secret(NEW_PASSWORD, "plain-new-token-2", "MIIEnewKEYmaterial")
    edit = FileEdit("live/s.yaml", _source(old), new, True)
    shown = edit.shown_diff()
    assert shown == ("--- a/live/s.yaml\n+++ b/live/s.yaml\n@@ -3,10 +3,10 @@\n metadata:\n   name: db\n data:\n"
                     "-  password: ********\n+  password: ********\n stringData:\n"
                     "-  token: ********\n+  token: ********\n   key.pem: |\n     ********\n"
                     "-    ********\n+    ********\n     ********\n")
    for value in (OLD_PASSWORD, NEW_PASSWORD, "plain-old-token-1", "plain-new-token-2", "MIIEoldKEYmaterial",
                  "MIIEnewKEYmaterial"):
        assert value not in shown
        assert base64.b64encode(value.encode()).decode().rstrip("=") not in shown
    assert base64.b64encode(OLD_PASSWORD.encode()).decode() in edit.diff  # the real diff is what gets written


def test_shown_diff_masks_a_config_file_secret_and_its_base64_elsewhere() -> None:
    encoded = base64.b64encode(b"hunter2-db-pass").decode()
    old = f"db:\n  password: hunter2-db-pass\n  note: {encoded}\nport: 1\n"
    edit = FileEdit("live/c.yaml", _source(old, "live/c.yaml"), old.replace("port: 1", "port: 2"), True)
    shown = edit.shown_diff()
    assert "hunter2-db-pass" not in shown and encoded.rstrip("=") not in shown
    assert shown.endswith("-port: 1\n+port: 2\n")


def test_shown_diff_is_withheld_when_a_side_does_not_parse() -> None:
    edit = FileEdit("live/c.yaml", _source("password: abc-secret-1\n", "live/c.yaml"), "password: [\n", True)
    assert edit.shown_diff() is None
    assert masked_diff("x", ["", "a: ["], _source("")) is None
    assert masked_diff("pw-value-12 and more", ["", "password: pw-value-12\n"], _source("")) == "******** and more"


@pytest.mark.parametrize("text, fmt, secret", [
    ("password: hunter2-abc\n", "yaml", True),
    ('{"password": "hunter2-abc"}', "json", True),
    ("[db]\npassword = hunter2-abc\n", "ini", True),
    ("a: 1\n", "yaml", False),
    ("port: 8080\nname: shop\n", "yaml", False),
    ("a: [\n", "yaml", True),
    ("a: 1\n---\ntoken: ghp_" + "a1B2" * 9 + "\n", "yaml", True),
], ids=["yaml", "json", "ini", "plain", "no-secret", "unparsable", "second-document"])
def test_text_holds_secret(text: str, fmt: str, secret: bool) -> None:
    assert text_holds_secret(text, _source("", f"f.{fmt}", fmt)) is secret
