"""The map of the code stays true: each layer imports only from the layers below it, and no two
modules import each other, however indirectly.

The layers, top first, are written down in docs/explanation/design.md ("Map of the code"); LAYERS
below is the same list. Every import counts, the lazy ones inside functions too, since a lazy import
is still a dependency, only a later one. An import under `if TYPE_CHECKING:` counts for the layers
(an annotation naming a higher layer's type is still knowledge of that layer) but not for cycles: it
never runs, so it cannot take part in a circular import.

What is still wrong today is listed in STILL_UPWARD and STILL_CYCLIC, each with what removes it. An
entry that no longer happens fails the test too, so the lists only shrink; the goal is two empty
lists.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import evidencekit

SRC = Path(evidencekit.__file__).parent
ROOT = "evidencekit"

# Top first. A module belongs to the longest entry that is its name or a package above it;
# "evidencekit" itself is the public API only, so a new top-level module must be placed here.
LAYERS: list[tuple[str, list[str]]] = [
    ("entry points", ["evidencekit", "evidencekit.__main__", "evidencekit.cli"]),
    ("what looks at a captured item", ["evidencekit.enrichers"]),
    ("the demo", ["evidencekit.demo"]),
    ("verify", ["evidencekit.verify"]),
    ("report, guide, ocr", ["evidencekit.report", "evidencekit.guide", "evidencekit.ocr"]),
    ("web, exports, story", ["evidencekit.web", "evidencekit.exports", "evidencekit.story"]),
    ("intake and handover", ["evidencekit.intake", "evidencekit.handover", "evidencekit.perceptual"]),
    ("case", ["evidencekit.case"]),
    (
        "errors and clock",
        [
            "evidencekit.errors",
            "evidencekit.clock",
            "evidencekit.sizes",
            "evidencekit.templates",
            "evidencekit._lazy",
            "evidencekit._version",
        ],
    ),
]

# (importer, imported): what takes it away.
STILL_UPWARD: dict[tuple[str, str], str] = {}

# Each cycle as the sorted modules of one strongly connected group: what breaks it.
STILL_CYCLIC: dict[tuple[str, ...], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    typing_only: bool


def module_name(path: Path) -> str:
    parts = [ROOT, *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer index)
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != ROOT and module.startswith(prefix + ".")):
                match = (len(prefix), index)
                best = match if best is None or match > best else best
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and to design.md's map")
    return best[1]


def _typing_only_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    if hasattr(inner, "lineno"):
                        lines.add(inner.lineno)
    return lines


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only = _typing_only_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from evidencekit.case import bag` depends on the module bag, not on case/__init__.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            ]
        for target in targets:
            if target == ROOT or target.startswith(ROOT + "."):
                while target not in modules:  # `import evidencekit.x.y` of a name, not a module
                    target = target.rpartition(".")[0]
                if target != module:
                    yield Import(module, target, node.lineno, node.lineno in typing_only)


@functools.cache
def all_imports() -> list[Import]:
    modules = all_modules()
    return [found for module, path in modules.items() for found in imports_of(module, path, modules)]


def upward_imports(imports: list[Import]) -> dict[tuple[str, str], list[Import]]:
    found: dict[tuple[str, str], list[Import]] = {}
    for imp in imports:
        if layer_of(imp.imported) < layer_of(imp.importer):
            found.setdefault((imp.importer, imp.imported), []).append(imp)
    return found


def cycles(imports: list[Import]) -> list[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, set())
        graph.setdefault(imp.imported, set())
        if not imp.typing_only:
            graph[imp.importer].add(imp.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_every_module_has_a_place_on_the_map() -> None:
    for module in all_modules():
        layer_of(module)


def test_no_layer_imports_from_a_layer_above_it() -> None:
    new = {
        f"{imp.importer} (line {imp.line}, {LAYERS[layer_of(imp.importer)][0]}) imports {imp.imported} "
        f"({LAYERS[layer_of(imp.imported)][0]})"
        for pair, found in upward_imports(all_imports()).items()
        if pair not in STILL_UPWARD
        for imp in found
    }
    assert not new, "an import reaches up a layer:\n" + "\n".join(sorted(new))


def test_no_modules_import_each_other() -> None:
    new = [group for group in cycles(all_imports()) if group not in STILL_CYCLIC]
    assert not new, "modules that import each other, directly or round a circle:\n" + "\n".join(
        " <-> ".join(group) for group in new
    )


def test_the_allow_lists_name_only_what_still_happens() -> None:
    imports = all_imports()
    gone = [f"STILL_UPWARD {pair}" for pair in STILL_UPWARD if pair not in upward_imports(imports)]
    gone += [f"STILL_CYCLIC {group}" for group in STILL_CYCLIC if group not in cycles(imports)]
    assert not gone, "fixed now; take them off the allow-list above:\n" + "\n".join(gone)


def test_the_checker_sees_a_lazy_upward_import_and_a_cycle(tmp_path: Path) -> None:
    # The rules above pass vacuously if the reader finds no imports; a tiny tree shows it finds them.
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "case" / "bag.py").write_text(
        "def f():\n    from evidencekit.cli import app\n    from . import seal\n", encoding="utf-8"
    )
    (tmp_path / "case" / "seal.py").write_text("from evidencekit.case.bag import f\n", encoding="utf-8")
    (tmp_path / "cli.py").write_text("", encoding="utf-8")
    modules = {
        "evidencekit.case": tmp_path / "case" / "__init__.py",
        "evidencekit.case.bag": tmp_path / "case" / "bag.py",
        "evidencekit.case.seal": tmp_path / "case" / "seal.py",
        "evidencekit.cli": tmp_path / "cli.py",
    }
    found = {
        (imp.imported, imp.line)
        for imp in imports_of("evidencekit.case.bag", modules["evidencekit.case.bag"], modules)
    }
    assert found == {("evidencekit.cli", 2), ("evidencekit.case.seal", 3)}
    imports = [found for name, path in modules.items() for found in imports_of(name, path, modules)]
    assert list(upward_imports(imports)) == [("evidencekit.case.bag", "evidencekit.cli")]
    assert cycles(imports) == [("evidencekit.case.bag", "evidencekit.case.seal")]


MOST_LINES = 600


def test_no_module_is_over_600_lines():
    """A module that grows past one screenful of jobs is split by job before it lands: a
    newcomer finds a thing by its file's name, not by scrolling."""
    long = {
        path.relative_to(SRC).as_posix(): lines
        for path in SRC.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}
