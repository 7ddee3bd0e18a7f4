"""`verify` with no folder named checks the case every other command would work on."""

from __future__ import annotations

from tests.conftest import run_cli


def test_verify_checks_the_case_named_by_evidencekit_case(case, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = run_cli("verify", "--json", cwd=elsewhere, env={"EVIDENCEKIT_CASE": str(case.root)})

    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.stdout


def test_verify_outside_any_case_says_how_to_name_one(tmp_path):
    result = run_cli("verify", cwd=tmp_path, env={"EVIDENCEKIT_CASE": ""})

    assert result.exit_code == 2
    assert "this folder is not inside a case" in result.stderr
    assert "evidencekit verify FOLDER" in result.stderr
    assert "--case" not in result.stderr
