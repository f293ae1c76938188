"""`dots-desktop models list` and its errors speak the locale's language (LANG=ru_RU: Russian)."""

from __future__ import annotations

import re

import pytest

from desktop.cli import run
from desktop.commands import models as models_cmd
from desktop.runtime.gpu import GpuSample
from desktop.runtime.profiles import GIB


def _busy_gpu(free_gib: float = 11.0, total_gib: float = 15.92) -> list[GpuSample]:
    total, free = int(total_gib * GIB), int(free_gib * GIB)
    return [GpuSample(0, "NVIDIA GeForce RTX 5070 Ti", total, total - free, free, 1, 40, 0)]


def _profile_lines(out: str) -> dict[str, str]:
    """The list's profile lines by profile id (after the GPU line)."""
    rows = [line.removeprefix("*").split(maxsplit=1) for line in out.splitlines()[1:]]
    return {row[0]: row[1] for row in rows}


@pytest.fixture
def russian(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_the_list_without_a_gpu_is_in_russian_in_a_russian_locale(
    russian: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models_cmd, "read_gpus", list)
    assert run(["models", "list"]) == 0
    out = capsys.readouterr().out
    first, *profiles = out.splitlines()
    assert first == "GPU NVIDIA не найден: профили можно запустить на удалённом сервере."
    assert profiles and all(line.endswith("нет GPU") for line in profiles)
    assert "no GPU" not in out


def test_the_list_with_a_busy_gpu_says_which_profiles_fit_in_russian(
    russian: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models_cmd, "read_gpus", _busy_gpu)
    assert run(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "GPU 0: NVIDIA GeForce RTX 5070 Ti, свободно 11.0 из 15.9 ГиБ"
    lines = _profile_lines(out)
    assert "помещается с --gpu-memory-utilization" in lines["dots.ocr"]
    too_big = lines["qwen3-vl-8b-fp8"]
    assert "не помещается: Для " in too_big and "ГиБ" in too_big
    assert too_big.endswith("Закройте программы, использующие GPU, или выберите профиль поменьше.")
    assert not re.search(r"\b(fits|free|does not)\b", out)


def test_the_list_in_english_reads_as_it_always_did(
    english: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(models_cmd, "read_gpus", _busy_gpu)
    assert run(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "GPU 0: NVIDIA GeForce RTX 5070 Ti, 11.0 of 15.9 GiB free"
    lines = _profile_lines(out)
    assert "fits with --gpu-memory-utilization" in lines["dots.ocr"]
    assert "does not fit: " in lines["qwen3-vl-8b-fp8"]


@pytest.mark.parametrize(
    ("lang", "fits"),
    [("ru_RU.UTF-8", r"помещается \(\d+\.\d ГиБ\)"), ("C", r"fits \(\d+\.\d GiB\)")],
)
def test_a_profile_that_fits_as_it_is_says_how_much_it_needs(
    lang: str, fits: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setattr(models_cmd, "read_gpus", lambda: _busy_gpu(70.0, 80.0))
    assert run(["models", "list"]) == 0
    assert re.search(fits + "$", _profile_lines(capsys.readouterr().out)["dots.ocr"])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru_RU.UTF-8", "ошибка: Нет профиля модели «gpt-9». Известные: "),
        ("C.UTF-8", "error: No model profile 'gpt-9'. Known: "),
    ],
)
def test_an_unknown_profile_is_an_error_line_in_the_locales_language(
    lang: str, expected: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)
    assert run(["models", "command", "gpt-9"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(expected) and "dots.ocr" in err[0]
