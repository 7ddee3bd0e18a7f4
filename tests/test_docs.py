"""Docs kept honest: every command documented with an example, every verify code explained."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_cli_reference  # noqa: E402


def test_the_cli_reference_is_current():
    current = (ROOT / "docs/reference/cli.md").read_text(encoding="utf-8")
    assert current == gen_cli_reference.render(), "run: python scripts/gen_cli_reference.py"


def test_every_command_has_an_example_in_its_help():
    text = gen_cli_reference.render()
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        assert "Example:" in section, section.splitlines()[0]


def test_every_verify_code_is_documented():
    documented = (ROOT / "docs/reference/verify-codes.md").read_text(encoding="utf-8")
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src/evidencekit").rglob("*.py"))
    codes = set(re.findall(r'\b(?:ERROR|WARNING|INFO),\s*\n?\s*"([a-z0-9-]+)"', source))
    codes |= set(re.findall(r'ChainProblem\(\s*\w+,\s*"([a-z0-9-]+)"', source))
    codes |= set(re.findall(r'(?:missing_code=|, )"([a-z]+-missing)", "', source))
    assert len(codes) > 30
    missing = sorted(code for code in codes if f"`{code}`" not in documented)
    assert not missing, f"undocumented verify codes: {missing}"


def test_the_readme_opens_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.DOTALL)
    assert "evidencekit demo" in blocks[0]
    assert "pytest" in blocks[1] and ".ci/apt-packages" in blocks[1]
    assert readme.index("<!-- demo-command -->") < readme.index("<!-- test-command -->") < readme.index("---")


def test_docs_links_point_at_files_that_exist():
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if target.startswith("http"):
                continue
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"
