"""Library parts the bundle leaves out (bundle_rules.LIBRARY_PARTS_NEVER_IMPORTED) are never
needed: the app's code runs with them blocked, as it does frozen without them, and with its
bytecode optimised as the bundle's (-OO: no docstrings)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.installer_modules import load_installer_module

rules = load_installer_module("bundle_rules")
ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = rules.LIBRARY_PARTS_NEVER_IMPORTED

#: Runs in a fresh interpreter: blocks the names in argv[1] (comma-separated) the way a
#: bundle without them behaves (ModuleNotFoundError), then either imports the modules named
#: in argv[2:] and prints, as JSON, those whose import failed because of a blocked module,
#: or (argv[2] == "--self-test") runs `dots-desktop --self-test`.
PROBE = """
import importlib, importlib.abc, json, runpy, sys

BLOCKED = tuple(sys.argv[1].split(","))
MARK = "left out of the bundle: "

class LeftOut(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ModuleNotFoundError(MARK + name, name=name)
        return None

sys.meta_path.insert(0, LeftOut())
if sys.argv[2] == "--self-test":
    sys.argv = ["dots-desktop", "--self-test"]
    runpy.run_module("desktop", run_name="__main__")

def blocked_cause(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ImportError) and str(exc).startswith(MARK):
            return str(exc)[len(MARK):]
        exc = exc.__cause__ or exc.__context__
    return None

failed = {}
for spec in sys.argv[2:]:
    module, _, attr = spec.partition(":")
    try:
        loaded = importlib.import_module(module)
        if attr and not hasattr(loaded, attr):
            importlib.import_module(module + "." + attr)
    except BaseException as exc:  # a module of another OS fails for its own reasons
        cause = blocked_cause(exc)
        if cause:
            failed[spec] = cause
print(json.dumps(failed))
"""


#: The frozen app's interpreter flags: its archive is compiled and run at this level
#: (bundle_rules.BYTECODE_OPTIMIZE, -OO: no docstrings, no asserts).
FROZEN_FLAGS = ["-" + "O" * rules.BYTECODE_OPTIMIZE] if rules.BYTECODE_OPTIMIZE else []


def _frozen_python(*args: str, env: dict[str, str] | None = None) -> str:
    """Python with the frozen app's flags on ``args``; its output (it must exit 0)."""
    proc = subprocess.run(
        [sys.executable, *FROZEN_FLAGS, *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _probe(blocked: tuple[str, ...], *args: str, env: dict[str, str] | None = None) -> str:
    """Runs PROBE as the frozen app runs: left-out parts blocked, bytecode optimised."""
    return _frozen_python("-c", PROBE, ",".join(blocked), *args, env=env)


def _imports_named_by_the_app() -> list[str]:
    """Every absolute import anywhere in desktop/ (module level or inside functions), as
    ``module`` or ``module:name`` for ``from module import name``."""
    names: set[str] = set()
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.update(f"{node.module}:{alias.name}" for alias in node.names)
    return sorted(names)


def test_the_left_out_parts_are_excluded_from_the_analysis() -> None:
    for name in LEFT_OUT:
        assert name in rules.EXCLUDED_PYTHON_MODULES
    # What the app does import stays: httpx itself, huggingface_hub's API, pikepdf, numpy.
    for needed in ("httpx", "huggingface_hub", "pikepdf", "numpy", "numpy.linalg", "filelock"):
        assert needed not in LEFT_OUT


def test_the_app_never_uses_the_numpy_parts_left_out() -> None:
    """``np.random``, ``np.ma``... would import left-out modules on first use."""
    found = []
    for path in (ROOT / "desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("random", "fft", "testing", "ma", "polynomial")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy")
            ):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


@pytest.mark.timeout(300)
def test_every_module_the_app_imports_loads_without_the_left_out_parts() -> None:
    names = _imports_named_by_the_app()
    assert "huggingface_hub.hf_api:HfApi" in names  # the lazy imports inside functions count
    assert json.loads(_probe(LEFT_OUT, *names)) == {}


@pytest.mark.timeout(300)
def test_the_probe_reports_a_module_the_app_needs() -> None:
    """The check above can fail: block what the searchable PDF needs and it is named."""
    failed = json.loads(_probe(("pikepdf",), "desktop.core.pdfout:write_searchable_pdf"))
    assert failed == {"desktop.core.pdfout:write_searchable_pdf": "pikepdf"}


def test_the_probe_runs_without_docstrings_as_the_frozen_app_does() -> None:
    script = "import sys, desktop; print(sys.flags.optimize, desktop.__doc__ is None)"
    out = _frozen_python("-c", script)
    assert out.split() == [str(rules.BYTECODE_OPTIMIZE), "True"]


@pytest.mark.timeout(300)
def test_libraries_the_app_calls_work_without_docstrings() -> None:
    """Calls into libraries the self-test does not reach (extraction's schema check,
    Markdown, formulas, the weights planner's URLs, the keyring) under the frozen flags."""
    script = (
        "import jsonschema, markdown_it, keyring\n"
        "from latex2mathml.converter import convert\n"
        "import ziamath\n"
        "from huggingface_hub import hf_hub_url, HfApi\n"
        "schema = {'type': 'object', 'properties': {'a': {'type': 'integer'}}}\n"
        "jsonschema.validate({'a': 1}, schema)\n"
        "try:\n"
        "    jsonschema.validate({'a': 'x'}, schema)\n"
        "except jsonschema.ValidationError as exc:\n"
        "    print('breach', '/'.join(map(str, exc.absolute_path)))\n"
        "md = markdown_it.MarkdownIt('commonmark').enable('table')\n"
        "print(md.render('| a |\\n|---|\\n| 1 |').count('<td>'))\n"
        "print('<mfrac>' in convert(r'\\frac{1}{2}'))\n"
        "print(ziamath.Latex(r'x^2').svg().startswith('<svg'))\n"
        "print(hf_hub_url('org/m', 'config.json').endswith('/org/m/resolve/main/config.json'))\n"
        "HfApi(endpoint='http://127.0.0.1:9')\n"
        "print(type(keyring.get_keyring()).__name__ != '')\n"
    )
    out = _frozen_python("-c", script)
    assert out.split() == ["breach", "a", "1", "True", "True", "True", "True"]


@pytest.mark.timeout(300)
def test_the_self_test_passes_without_the_left_out_parts(tmp_path: Path) -> None:
    """Window, built-in OCR of the sample, table, XLSX, HTML with a formula, PDF and Word,
    with bytecode optimised as in the bundle."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DOTS_DESKTOP_HOME=str(tmp_path))
    out = _probe(LEFT_OUT, "--self-test", env=env)
    assert "PDF and Word" in out
    assert "self-test: passed" in out
