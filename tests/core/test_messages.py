"""The message catalogue: every fact has words in every language, and no error goes without one."""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path

import pytest

from desktop.core.errors import DotsError, UnreadableFile
from desktop.core.messages import (
    Code,
    Msg,
    facts_from_json,
    facts_to_json,
    language_from_env,
    render,
    say,
)
from desktop.core.messages.en import TEMPLATES as EN
from desktop.core.messages.ru import TEMPLATES as RU

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


def _fields(template: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_code_has_english_and_russian_words_with_the_same_placeholders() -> None:
    assert set(EN) == set(Code), sorted(set(Code) - set(EN))
    assert set(RU) == set(Code), sorted(set(Code) - set(RU))
    differ = {c.value for c in Code if _fields(EN[c]) != _fields(RU[c])}
    assert not differ, differ


def test_codes_are_stable_strings_that_survive_json() -> None:
    fact = Msg.of(
        Code.PAGE_LOOP_REREAD,
        chars=406,
        loop=Msg.of(Code.LOOP_TEXT, text="| |", times=40),
        regions=12,
    )
    stored = json.loads(json.dumps(facts_to_json([fact])))
    assert stored[0]["code"] == "page_loop_reread"
    assert facts_from_json(stored) == (fact,)
    assert render(facts_from_json(stored)[0], "ru") == render(fact, "ru")
    # A code a newer version wrote is skipped, not a crash.
    assert facts_from_json([{"code": "from_the_future", "params": {}}]) == ()


@pytest.mark.parametrize(
    ("count", "english", "russian"),
    [
        (1, "1 block without a usable box", "Пропущено блоков без годной рамки: 1."),
        (3, "3 blocks without a usable box", "Пропущено блоков без годной рамки: 3."),
    ],
)
def test_english_plurals_follow_the_count(count: int, english: str, russian: str) -> None:
    fact = Msg.of(Code.PAGE_BOXLESS_LEFT_OUT, count=count)
    assert render(fact).startswith(english)
    assert render(fact, "ru") == russian


@pytest.mark.parametrize(
    ("chars", "word"), [(1, "символа"), (21, "символа"), (3, "символов"), (11, "символов")]
)
def test_russian_plurals_follow_the_count(chars: int, word: str) -> None:
    loop = Msg.of(Code.LOOP_SAME_BLOCK, category="Text", times=5)
    fact = Msg.of(Code.PAGE_LOOP_REREAD, chars=chars, loop=loop, regions=2)
    text = render(fact, "ru")
    assert f"после {chars} {word} " in text and "повторён 5 раз" in text
    assert "2 области." in text


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ru_RU", "LANG": "C"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_cli_language_comes_from_the_locale(env: dict[str, str], lang: str) -> None:
    assert language_from_env(env) == lang


def test_an_error_cannot_be_raised_without_a_code() -> None:
    with pytest.raises(TypeError):
        DotsError("photo.png: the file is empty.")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        UnreadableFile(Msg.of(Code.FILE_EMPTY, name="a.png"), fix="Try again.")  # type: ignore[arg-type]
    err = UnreadableFile(Msg.of(Code.FILE_EMPTY, name="a.png"))
    assert str(err) == "a.png: the file is empty." and err.facts == (err.msg,)


def test_an_error_survives_copy_and_pickle_with_its_facts() -> None:
    import copy
    import pickle

    from desktop.engines.errors import ServerUnavailable

    err = ServerUnavailable("http://127.0.0.1:8000", "refused")
    for back in (copy.deepcopy(err), pickle.loads(pickle.dumps(err))):
        assert isinstance(back, ServerUnavailable)
        assert back.facts == err.facts and str(back) == str(err)
        assert back.url == "http://127.0.0.1:8000"


def _error_classes() -> set[str]:
    """Names of DotsError and every class in desktop/ that derives from one (by source)."""
    bases: dict[str, set[str]] = {}
    for path in DESKTOP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id for b in node.bases if isinstance(b, ast.Name)}
                names |= {b.attr for b in node.bases if isinstance(b, ast.Attribute)}
                bases.setdefault(node.name, set()).update(names)
    found = {"DotsError", "UsageError"}  # UsageError: the CLI's bad flags, also a fact
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return False


def test_no_error_in_desktop_is_built_from_a_bare_sentence() -> None:
    """GIVEN every class that derives from DotsError, WHEN desktop/ builds one, THEN its
    first argument is a fact (Msg), never an English string or f-string."""
    classes = _error_classes()
    assert {
        "UnreadableFile",
        "ServerError",
        "DockerUnavailable",
        "ProfileError",
        "ExportFailed",
    } <= classes
    offenders = []
    for path in sorted(DESKTOP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in classes:
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg == "fix")]
            if any(_is_text(a) for a in args):
                offenders.append(f"{path.relative_to(DESKTOP.parent)}:{node.lineno}")
    assert not offenders, offenders


def test_a_problem_and_its_fix_read_as_one_text() -> None:
    facts = (Msg.of(Code.SERVER_UNAVAILABLE, url="http://a:1"), Msg(Code.FIX_START_MODEL))
    assert say(facts) == (
        "No OCR server answers at http://a:1."
        " Start the model from the Model panel or check the address."
    )


def test_the_window_parses_none_of_our_own_english() -> None:
    """The words the window shows come from codes: no regular expression in ui/words."""
    words = DESKTOP / "ui" / "words"
    for path in sorted(words.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "re" not in imported, path.name
    assert not (words / "errortext.py").exists() and not (words / "reasons.py").exists()
