"""The public surface a Python user relies on: the whole loop through `import evidencekit`."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import evidencekit


def test_the_whole_loop_through_the_public_names(tmp_path, evidence):
    case = evidencekit.create_case(tmp_path / "case", title="API")
    assert evidencekit.capture(case, [evidence / "chat.txt"]).added[0]["id"] == "E0001"
    assert evidencekit.add_url(case, "https://t.me/someone").record["platform"] == "Telegram"
    fingerprint = evidencekit.seal_case(case).fingerprint
    report = evidencekit.verify_case(case.root)
    assert report.ok and report.fingerprint == fingerprint
    assert evidencekit.open_case(case.root).info.id == case.info.id
    assert set(evidencekit.__all__) <= set(dir(evidencekit))


def test_importing_the_package_is_cheap():
    heavy = "('PIL', 'magic', 'cryptography', 'rich')"
    code = f"import sys, evidencekit; print(any(m.startswith({heavy}) for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


# ---- typed for users: the lazy names are the real signatures to a type checker ---------------

USER_SCRIPT = """
from pathlib import Path

import evidencekit

case = evidencekit.create_case(Path("my-case"), title="Instagram blackmail")
first: str = evidencekit.capture(case, [Path("screenshot.png")]).added[0]["id"]
url = evidencekit.add_url(case, "https://www.instagram.com/someone/", kind="profile")
fingerprint: str = evidencekit.seal_case(case).fingerprint
report: evidencekit.VerifyReport = evidencekit.verify_case(case.root)
ok: bool = report.ok
again: evidencekit.Case = evidencekit.open_case(case.root)
try:
    evidencekit.open_case(Path("not-a-case"))
except evidencekit.EvidenceKitError as exc:
    print(exc.message, exc.hint)
"""

# Each line a mistake a type checker must catch, and what it says about it.
WRONG_CALLS = {
    "evidencekit.seal_case(case).fingerprint + 1": 'Unsupported operand types for + ("str" and "int")',
    "evidencekit.capture(case, [Path('a.png')], colour=True)": 'Unexpected keyword argument "colour"',
    "evidencekit.verify_case(case).ok": 'incompatible type "Case"; expected "Path"',
}


def _mypy(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, code in files.items():
        (tmp_path / name).write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_users_script_type_checks_and_a_wrong_call_does_not(tmp_path: Path) -> None:
    docs_example = textwrap.dedent((evidencekit.__doc__ or "").split("\n\n", 2)[2])
    wrong = "from pathlib import Path\nimport evidencekit\ncase = evidencekit.create_case(Path('c'))\n"
    wrong += "".join(f"{line}\n" for line in WRONG_CALLS)
    result = _mypy(tmp_path, {"user.py": USER_SCRIPT, "docs_example.py": docs_example, "wrong.py": wrong})
    problems = result.stdout.splitlines()
    assert not [line for line in problems if line.startswith(("user.py", "docs_example.py"))], result.stdout
    for number, (line, expected) in enumerate(WRONG_CALLS.items(), start=4):
        assert any(p.startswith(f"wrong.py:{number}:") and expected in p for p in problems), (
            line,
            result.stdout,
        )


def test_the_names_a_type_checker_sees_are_the_ones_imported_at_run_time() -> None:
    # __init__ lists every public name twice: in _LAZY for run time, and as an import under
    # TYPE_CHECKING for the type checker. A name moved in one place only would lie to one of them.
    tree = ast.parse(Path(evidencekit.__file__).read_text(encoding="utf-8"))
    seen: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        seen[alias.asname or alias.name] = (statement.module, alias.name)
    lazy = evidencekit._LAZY  # type: ignore[attr-defined]
    assert {name: seen.get(name) for name in lazy} == lazy
    for name, (module, attribute) in lazy.items():
        assert getattr(evidencekit, name) is getattr(importlib.import_module(module), attribute)
