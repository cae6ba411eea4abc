"""The README says what the tree holds: its layout and its environment table match the code.

* Layout: every folder and module the "Layout" section names exists under the package it
  is listed with, and every package of the product (a folder with ``__init__.py`` in
  ``apdu/``, ``jpki/``, ``mock_card/``, ``gui/``, ``office/``) is named there.
* Environment: every ``JPKI_*`` variable the code reads from the environment is in the
  "Environment variables" table, and every variable of the table is read somewhere. Reads
  are found in the syntax tree (``os.environ.get(X)``, ``os.environ[X]``, ``os.getenv(X)``,
  ``os.environ.pop(X)``), with ``X`` followed through module constants (``URL_ENV``),
  constant tables (``PIN_ENV[kind]``) and the parameters of the functions that read it
  (``_env_pin(variable)`` called with ``NEW_PIN_ENV``). A ``JPKI_`` name that is never read
  from the environment (``JPKI_AID``, an application identifier) is not a variable.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PACKAGES = ("apdu", "jpki", "mock_card", "gui", "office")
SCANNED = (*PACKAGES, "tools", "tests", "fuzz", "bench")
_VARIABLE = re.compile(r"JPKI_[A-Z0-9_]+")


# -- the README ---------------------------------------------------------------------------


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", text, re.M | re.S)
    assert match, f"the README has no section {title!r}"
    return match.group(1)


def layout_blocks(section: str) -> dict[str, str]:
    """``{top-level folder: its text}`` from the Layout section's code block."""
    block = re.search(r"^```\n(.*?)^```", section, re.M | re.S)
    assert block, "the Layout section has no code block"
    blocks: dict[str, list[str]] = {}
    current = ""
    for line in block.group(1).splitlines():
        head = re.match(r"([a-z_]+)/\s", line)
        if head:
            current = head.group(1)
            blocks[current] = [line[head.end() :]]
        elif current:
            blocks[current].append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def named_folders(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w./`-])([a-z_][a-z0-9_]*)/(?=[\s),:]|$)", text, re.M))


def named_modules(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w./-])([a-z_][a-z0-9_]*\.py)\b", text))


def layout_errors(blocks: dict[str, str], root: Path) -> list[str]:
    errors = []
    for top in PACKAGES:
        if top not in blocks:
            errors.append(f"{top}/ is not in the layout")
    for top, text in blocks.items():
        base = root / top
        if not base.is_dir():
            errors.append(f"{top}/ is named but does not exist")
            continue
        folders = {p.name for p in base.rglob("*") if p.is_dir() and p.name != "__pycache__"}
        files = {p.name for p in base.rglob("*.py")}
        errors += [f"{top}/: no folder {n}/" for n in sorted(named_folders(text) - folders)]
        errors += [f"{top}/: no module {n}" for n in sorted(named_modules(text) - files)]
        if top in PACKAGES:
            packages = {p.parent for p in base.rglob("__init__.py")} - {base}
            named = named_folders(text)
            errors += [
                f"{p.relative_to(root).as_posix()}/ is a package the layout does not name"
                for p in sorted(packages)
                if "__pycache__" not in p.parts and p.name not in named
            ]
    return errors


def readme_variables() -> set[str]:
    rows = re.findall(r"^\| `(JPKI_[A-Z0-9_]+)` \|", _section("Environment variables"), re.M)
    assert len(rows) > 10, "the environment table was not found"
    return set(rows)


# -- the code -----------------------------------------------------------------------------


@dataclass
class EnvReads:
    """What the scan found: variables read, patterns read (``JPKI_{kind}_PIN``)."""

    variables: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)


def _sources(root: Path) -> Iterator[tuple[Path, ast.Module]]:
    for top in SCANNED:
        for path in sorted((root / top).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _literals(node: ast.expr) -> set[str]:
    """The ``JPKI_`` strings a constant's value holds (a string, or a table's values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} if _VARIABLE.fullmatch(node.value) else set()
    if isinstance(node, ast.Dict):
        return {s for v in node.values for s in _literals(v)}
    return set()


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _env_key(node: ast.AST) -> ast.expr | None:
    """The key expression of an environment read, or ``None`` if ``node`` is not one."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"get", "pop"}:
            return node.args[0] if _is_environ(func.value) else None
        if isinstance(func, ast.Attribute | ast.Name) and (
            (func.attr if isinstance(func, ast.Attribute) else func.id) == "getenv"
        ):
            return node.args[0]
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return node.slice if _is_environ(node.value) else None
    return None


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def env_reads(root: Path) -> EnvReads:
    trees = list(_sources(root))
    constants: dict[str, set[str]] = defaultdict(set)
    functions: dict[str, list[str]] = {}
    calls: dict[str, list[ast.Call]] = defaultdict(list)
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and (found := _literals(node.value)):
                        constants[target.id] |= found
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                functions[node.name] = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
            elif isinstance(node, ast.Call) and (called := _name(node.func)):
                calls[called].append(node)

    reads = EnvReads()

    def resolve(key: ast.expr, scope: ast.AST | None, depth: int) -> None:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            reads.variables |= _literals(key)
        elif isinstance(key, ast.JoinedStr):
            parts = [
                re.escape(str(v.value)) if isinstance(v, ast.Constant) else "[A-Z0-9_]+"
                for v in key.values
            ]
            if "".join(parts).startswith("JPKI_"):
                reads.patterns.add("".join(parts))
        elif isinstance(key, ast.Subscript):
            resolve(key.value, scope, depth)
        elif (name := _name(key)) in constants:
            reads.variables |= constants[name]
        elif (
            isinstance(key, ast.Name)
            and isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
            and depth < 5
        ):
            # a parameter: follow the calls of the function that reads it
            params = functions.get(scope.name, [])
            if key.id not in params:
                return
            index = params.index(key.id)
            for call in calls.get(scope.name, []):
                given = [k.value for k in call.keywords if k.arg == key.id]
                if not given and index < len(call.args):
                    given = [call.args[index]]
                for value in given:
                    resolve(value, scopes.get(id(call)), depth + 1)

    scopes: dict[int, ast.AST] = {}
    for _path, tree in trees:
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(function):
                    scopes[id(inner)] = function  # innermost wins: walked outside in
    for _path, tree in trees:
        for node in ast.walk(tree):
            if (key := _env_key(node)) is not None:
                resolve(key, scopes.get(id(node)), 0)
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    reads.variables |= set(re.findall(r"\$[({$]?(JPKI_[A-Z0-9_]+)", makefile))
    return reads


# -- the tests ----------------------------------------------------------------------------


@functools.cache
def _repo_reads() -> EnvReads:
    return env_reads(ROOT)


def test_the_layout_names_every_package_and_only_what_exists() -> None:
    assert layout_errors(layout_blocks(_section("Layout")), ROOT) == []


def test_the_layout_check_catches_a_stale_name_and_a_missing_package(tmp_path: Path) -> None:
    for top in PACKAGES:
        (tmp_path / top / "inner").mkdir(parents=True)
        (tmp_path / top / "inner" / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / top / "real.py").write_text("", encoding="utf-8")
    blocks = {top: "real.py, inner/ (ok)" for top in PACKAGES}
    assert layout_errors(blocks, tmp_path) == []
    blocks["jpki"] = "real.py, gone.py, old/"
    assert layout_errors(blocks, tmp_path) == [
        "jpki/: no folder old/",
        "jpki/: no module gone.py",
        "jpki/inner/ is a package the layout does not name",
    ]


def test_every_variable_the_code_reads_is_in_the_readme() -> None:
    reads = _repo_reads()
    documented = readme_variables()
    assert reads.variables - documented == set()
    for pattern in reads.patterns:
        assert any(re.fullmatch(pattern, v) for v in documented), pattern


def test_every_variable_in_the_readme_is_read_somewhere() -> None:
    assert readme_variables() - _repo_reads().variables == set()


def test_the_scan_follows_constants_and_parameters_but_not_other_names() -> None:
    reads = _repo_reads().variables
    # JPKI_NEW_PIN reaches os.environ through NEW_PIN_ENV and _env_pin's parameter;
    # JPKI_SIGN_PIN through the PIN_ENV table and two functions' parameters.
    assert {"JPKI_NEW_PIN", "JPKI_SIGN_PIN", "JPKI_LEDGER_URL", "JPKI_FUZZ_TMP"} <= reads
    assert "JPKI_AID" not in reads
