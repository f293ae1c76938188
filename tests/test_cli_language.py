"""The command line speaks the locale's language: LANG=ru_RU.UTF-8 gets Russian on stderr,
any other locale the English sentences scripts and logs have always seen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "fixtures" / "russian_page.png"


def _cli(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG=lang, PYTHONIOENCODING="utf-8")
    env.pop("DOTS_DESKTOP_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "ocr", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )


def _no_english_sentence(text: str) -> bool:
    """True when no three English words follow each other outside paths and addresses."""
    text = re.sub(r"https?://\S+|\S+\.(png|jpg|pdf)|«[^»]*»", "", text)
    return re.search(r"[A-Za-z]{2,}(\s+[A-Za-z]{2,}){2,}", text) is None


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru_RU.UTF-8", "missing.png: файл не найден. Проверьте путь."),
        ("C.UTF-8", "missing.png: no such file. Check the path."),
    ],
)
def test_a_missing_file_is_named_in_the_locales_language(lang: str, expected: str) -> None:
    # GIVEN a file that is not there, WHEN the CLI is asked to read it
    result = _cli("missing.png", "--engine", "builtin", lang=lang)
    # THEN one line on stderr says so, in the locale's language, and the exit code is 1
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == expected


def test_an_empty_file_and_its_fellow_inputs_read_in_russian(tmp_path: Path) -> None:
    empty = tmp_path / "scan.png"
    empty.write_bytes(b"")
    result = _cli(str(empty), str(tmp_path / "gone.jpg"), "--engine", "builtin", lang="ru_RU.UTF-8")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    assert lines == [
        "scan.png: файл пуст.",
        f"{tmp_path / 'gone.jpg'}: файл не найден. Проверьте путь.",
        "Не удалось прочитать ни один из входов (2).",
    ]


def test_a_server_that_does_not_answer_is_reported_in_russian(refused_port: int) -> None:
    url = f"http://127.0.0.1:{refused_port}"
    result = _cli(str(PAGE), "--engine", "server", "--endpoint", url, lang="ru_RU.UTF-8")
    assert result.returncode == 1
    said = result.stderr.strip()
    assert said == (
        f"По адресу {url} не отвечает сервер распознавания."
        " Запустите модель на панели «Модель» или проверьте адрес."
    )
    assert _no_english_sentence(said)
    english = _cli(str(PAGE), "--engine", "server", "--endpoint", url, lang="en_GB.UTF-8")
    assert english.stderr.strip() == (
        f"No OCR server answers at {url}."
        " Start the model from the Model panel or check the address."
    )


def test_a_bad_flag_is_explained_in_russian() -> None:
    result = _cli(str(PAGE), "--dpi", "5", lang="ru_RU.UTF-8")
    assert result.returncode == 2
    assert result.stderr.strip() == "dots-desktop ocr: --dpi должен быть от 36 до 1200."
