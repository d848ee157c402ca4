"""The layers point down only (README, *Architecture*). Read from the source, so a new upward import, an import
hidden in a function to dodge a cycle, or an app that swallows the others fails the suite."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Lowest first. An app may import itself and the apps before it, never one after it.
LAYERS = [
    "accountability",  # the kernel: organisations, officers, the power list, chains, audit, outbox, notifications
    "cases",  # registry, lifecycle, trace, attachments
    "supervision",  # the apps that watch cases
    "interference",
    "similar",
    "deliberation",  # judges' meetings, committees and their procuratorate counterparts
    "discipline",
    "evaluation",
    "procuratorate",  # the procuratorate's own procedures, power list, words, indicators and catalogue
    "assessment",  # performance assessment (业绩考核): schemes, scores, sign-off and contest
    "dashboards",
    "interchange",  # import, demo, generator: may use everything
]
#: The project wiring that lives in the kernel's package by design (DESIGN.md): it composes every app.
COMPOSITION_ROOT = {
    "accountability.urls",
    "accountability.settings",
    "accountability.settings_test",
    "accountability.celery",
    "accountability.wsgi",
    "accountability.asgi",
}


def _modules() -> dict[str, Path]:
    modules = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported module, line, inside a function, enclosing function) for every import of a project module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, function is not None, function or "") for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, function is not None, function or ""))
            visit(child, function)

    visit(tree, None)
    return [item for item in found if item[0].split(".")[0] in LAYERS]


MODULES = _modules()


def test_every_import_points_down_the_layers():
    upward = []
    for name, path in MODULES.items():
        if name in COMPOSITION_ROOT:
            continue
        rank = LAYERS.index(name.split(".")[0])
        for module, line, _inside, _function in _imports(path):
            if LAYERS.index(module.split(".")[0]) > rank:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert upward == []


def test_no_import_hides_inside_a_function():
    """Only ``AppConfig.ready`` imports inside a function (Django's way to connect an app once models load)."""
    hidden = [
        f"{path.relative_to(ROOT)}:{line} imports {module} inside {function}()"
        for name, path in MODULES.items()
        if name not in COMPOSITION_ROOT
        for module, line, inside, function in _imports(path)
        if inside and not (path.name == "apps.py" and function == "ready")
    ]
    assert hidden == []


def _lines(app: str) -> int:
    return sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for name, path in MODULES.items()
        if name.split(".")[0] == app
    )


def test_no_app_holds_more_than_a_third_of_the_code():
    sizes = {app: _lines(app) for app in LAYERS}
    total = sum(sizes.values())
    assert {app: f"{size / total:.0%}" for app, size in sizes.items() if size > total / 3} == {}


def test_the_apps_are_installed_in_layer_order(settings):
    installed = [a for a in settings.INSTALLED_APPS if a in LAYERS]
    assert installed == LAYERS
