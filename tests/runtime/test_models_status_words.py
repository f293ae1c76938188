"""`dots-desktop models status|start` say the container's state, stage, model, endpoint and
failure in the locale's language: every label, the state and the stage, the progress lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import run
from desktop.commands import models as models_cmd
from desktop.commands.modelstatus import ended_fact, progress_fact, state_fact
from desktop.commands.words import cli_words
from desktop.core.messages import Code, Msg, render
from desktop.runtime.controller import ContainerState, ControllerStatus
from desktop.runtime.diagnosis import FailureCause, Stage
from tests.runtime.conftest import RUN_LABEL, free_port
from tests.runtime.test_cli import _scope_doctor, _sim_profile, sim_model_here

#: Words of the English labels, states and stages; none may be left in Russian output.
ENGLISH = re.compile(
    r"\b(State|Container|started|by|hand|Model|profile|Endpoint|key|Max|length|tokens?|"
    r"Problem|Note|ready|starting|pulling|downloading|image|loading|weights|stopping|"
    r"stopped|failed|absent|GB)\b"
)
URL = "http://127.0.0.1:8123/v1"


def _lang(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)


@pytest.fixture
def russian(monkeypatch: pytest.MonkeyPatch) -> None:
    _lang(monkeypatch, "ru_RU.UTF-8")


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    _lang(monkeypatch, "C.UTF-8")


def _ready(**changes: Any) -> ControllerStatus:
    """A model that started and serves, with every line describe() can print."""
    fields: dict[str, Any] = {
        "state": ContainerState.READY,
        "profile_id": "dots.ocr",
        "stage": Stage.READY,
        "endpoint": URL,
        "api_key": "dd-secret",
        "served_name": "dots-ocr",
        "max_model_len": 32768,
        "container_name": "dots-desktop-dots.ocr",
        "container_id": "abc",
        "notice": Msg.of(Code.NOTE_KV_RESTARTED, tokens=24576),
        "note": "vLLM estimated ...",
    }
    return ControllerStatus(**{**fields, **changes})


def _failed() -> ControllerStatus:
    return ControllerStatus(
        state=ContainerState.FAILED,
        profile_id="dots.ocr",
        container_name="dots-desktop-dots.ocr",
        container_id="abc",
        cause=FailureCause.GPU_OOM,
        message="The GPU ran out of memory while the model started.",
        fix="...",
        problem=Msg(Code.GPU_OOM),
        remedy=Msg(Code.FIX_GPU_OOM),
    )


def _labels(lines: list[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in lines]


def test_a_ready_model_is_described_in_russian_with_no_english_label_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _lang(monkeypatch, "C.UTF-8")
    english = models_cmd.describe(_ready())
    _lang(monkeypatch, "ru_RU.UTF-8")
    russian = models_cmd.describe(_ready())
    assert len(russian) == len(english) == 7
    for label, line in zip(_labels(english), russian, strict=True):
        assert label not in line, (label, line)
    text = "\n".join(russian)
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    assert russian[0] == "Состояние: готов"
    assert russian[1] == "Контейнер: dots-desktop-dots.ocr (запущен Dots Desktop)"
    assert russian[2] == "Модель: dots-ocr (профиль dots.ocr)"
    # What a user copies into another program stays exactly as it is.
    assert russian[3].endswith(f": {URL}") and russian[4].endswith(": dd-secret")
    assert russian[5] == "Наибольшая длина контекста: 32768 токенов"
    assert russian[6].startswith("Примечание: ") and "24576" in russian[6]


def test_a_ready_model_in_english_reads_as_it_did_without_repeating_ready(english: None) -> None:
    assert models_cmd.describe(_ready()) == [
        "State: ready",
        "Container: dots-desktop-dots.ocr (started by Dots Desktop)",
        "Model: dots-ocr (profile dots.ocr)",
        f"Endpoint: {URL}",
        "API key: dd-secret",
        "Max model length: 32768 tokens",
        "Note: vLLM estimated that at most 24576 tokens per request fit the KV cache, so the "
        "model was restarted with --max-model-len 24576.",
    ]


def test_a_failed_start_names_the_problem_and_its_fix_in_russian(russian: None) -> None:
    lines = models_cmd.describe(_failed())
    assert lines[0] == "Состояние: сбой"
    problem = lines[-1]
    assert problem.startswith("Проблема: При запуске модели закончилась память GPU. ")
    assert not ENGLISH.findall("\n".join(lines))


def test_a_model_started_by_hand_and_still_loading_says_both_in_russian(russian: None) -> None:
    status = ControllerStatus(
        state=ContainerState.STARTING,
        stage=Stage.LOADING_WEIGHTS,
        container_name="my-vllm",
        container_id="abc",
        managed=False,
    )
    lines = models_cmd.describe(status)
    assert lines == ["Состояние: запуск (загрузка весов)", "Контейнер: my-vllm (запущен вручную)"]


def test_a_stage_this_version_does_not_know_is_shown_as_it_came(russian: None) -> None:
    status = ControllerStatus(state=ContainerState.STARTING, stage="warming up")  # type: ignore[arg-type]
    assert models_cmd.describe(status) == ["Состояние: запуск (warming up)"]


def test_a_hostile_served_model_name_cannot_drive_the_terminal(russian: None) -> None:
    # An adopted server started by hand names its own model: not trusted.
    lines = models_cmd.describe(_ready(served_name="evil\x1b]0;pwned\x07\x1b[2J"))
    assert lines[2] == "Модель: evil (профиль dots.ocr)"


def test_every_container_state_has_its_own_words_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for lang in ("C.UTF-8", "ru_RU.UTF-8"):
        _lang(monkeypatch, lang)
        words = {cli_words(state_fact(s)) for s in ContainerState}
        assert len(words) == len(ContainerState), words
    assert not words & {s.value for s in ContainerState}, words  # Russian: none left as code


@pytest.mark.parametrize(
    ("lang", "pulling", "loading"),
    [
        ("ru_RU.UTF-8", "скачивание образа: 42% (1.20 из 2.86 ГБ)", "запуск: загрузка весов"),
        ("C.UTF-8", "downloading the image: 42% (1.20 of 2.86 GB)", "starting: loading weights"),
    ],
)
def test_the_start_progress_lines_are_in_the_locales_language(
    lang: str, pulling: str, loading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lang(monkeypatch, lang)
    pull = ControllerStatus(
        state=ContainerState.PULLING,
        stage=Stage.PULLING,
        progress=0.42,
        pulled_bytes=1_200_000_000,
        total_bytes=2_860_000_000,
    )
    assert cli_words(progress_fact(pull)) == pulling
    start = ControllerStatus(state=ContainerState.STARTING, stage=Stage.LOADING_WEIGHTS)
    assert cli_words(progress_fact(start)) == loading


@pytest.mark.parametrize(
    ("status", "line"),
    [
        # The stage says the state more precisely: said once.
        (ControllerStatus(state=ContainerState.PULLING, stage=Stage.PULLING), "скачивание образа"),
        (ControllerStatus(state=ContainerState.STARTING, stage=Stage.CREATED), "запуск контейнера"),
        (ControllerStatus(state=ContainerState.READY, stage=Stage.READY), "готов"),
        # A download that failed is a failure, not a download.
        (
            ControllerStatus(state=ContainerState.FAILED, stage=Stage.WEIGHTS),
            "сбой: скачивание весов",
        ),
        (ControllerStatus(state=ContainerState.STOPPED), "остановлен"),
    ],
)
def test_a_progress_line_says_the_state_once(
    status: ControllerStatus, line: str, russian: None
) -> None:
    assert cli_words(progress_fact(status)) == line


def test_a_start_that_ends_short_of_ready_words_the_state(
    russian: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert models_cmd._fail(ended_fact(ContainerState.STOPPED)) == 1
    err = capsys.readouterr().err.strip()
    assert err == "ошибка: модель так и не запустилась (состояние: остановлен)"


@pytest.mark.docker
def test_models_start_and_status_speak_russian_end_to_end(
    tmp_path: Path,
    sim_image: str,
    run_id: str,
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _lang(monkeypatch, "ru_RU.UTF-8")
    try:
        with sim_model_here(monkeypatch, tmp_path, run_id, f"ru-{run_id}", sim_image) as port:
            assert run(["models", "start", f"ru-{run_id}"]) == 0
            started = capsys.readouterr()
            assert run(["models", "status"]) == 0
            status = capsys.readouterr().out
            _scope_doctor(monkeypatch, run_id)
            assert run(["doctor"]) == 0
            doctor = capsys.readouterr().out
    finally:
        assert run(["models", "stop"]) == 0
    assert started.out.startswith("Состояние: готов\n") and f"127.0.0.1:{port}/v1" in started.out
    assert status.startswith("Состояние: готов\n") and f"профиль ru-{run_id}" in status
    lines = started.err.splitlines()
    # Nothing to tell before the download ("no container" was noise); then the weights.
    assert lines[0].startswith("скачивание весов"), lines[0]
    assert any(ln.startswith("скачивание весов: ") for ln in lines)
    assert "запуск: загрузка весов" in lines
    # Names, the address and the key are data (a random key may spell "by"); the rest is Russian.
    said = [ln for ln in (started.err + started.out + status).splitlines() if "dd-" not in ln]
    words = ENGLISH.findall("\n".join(said).replace("dots-desktop", ""))
    assert not words, words
    # The doctor finds the running model and says its context length in Russian plural.
    assert f"Модель в контейнере: контейнер dots-desktop-ru-{run_id} обслуживает" in doctor
    # ... and its own server as this computer's, not as "the remote server".
    answers = f"[ok] Сервер модели отвечает по адресу http://127.0.0.1:{port}/v1 (ключ принят); "
    assert f"     {answers}длина контекста 8192 токена.\n" in doctor
    assert "Удалённый сервер http" not in doctor
    assert not ENGLISH.findall(doctor.replace("dots-desktop", "")), doctor
    assert docker_client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"}) == []


@pytest.mark.parametrize(("tokens", "word"), [(8192, "токена"), (32768, "токенов"), (1, "токен")])
def test_a_servers_context_length_takes_the_russian_plural(tokens: int, word: str) -> None:
    # doctor's line for a server, and Settings' connection test: "8192 токена", not "токенов".
    models = ("dots-ocr",)
    key = Msg(Code.DOC_KEY_ACCEPTED)
    doctor = Msg.of(
        Code.DOC_SERVER_READY_CONTEXT, endpoint=URL, key=key, models=models, context=tokens
    )
    assert render(doctor, "ru").endswith(f"длина контекста {tokens} {word}.")
    settings = Msg.of(Code.SETTINGS_TEST_OK, ms=12, model="dots-ocr", context=tokens)
    assert render(settings, "ru").endswith(f"длина контекста {tokens} {word}.")


def _russian_cli_without_docker(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``dots-desktop ARGS`` in a process of its own (its terminal logging is what a user
    sees; pytest's is not), Russian locale, Docker not running, ``home`` its home."""
    env = {
        **os.environ,
        "LANG": "ru_RU.UTF-8",
        "DOCKER_HOST": f"unix://{home}/dead.sock",
        "DOTS_DESKTOP_HOME": str(home),
    }
    for var in ("LC_ALL", "LC_MESSAGES"):
        env.pop(var, None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("action", ["status", "stop"])
def test_docker_down_is_one_russian_line_not_an_english_log_line_too(
    action: str, tmp_path: Path
) -> None:
    done = _russian_cli_without_docker(tmp_path, "models", action)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        f"ошибка: Docker не запущен или недоступен (unix://{tmp_path}/dead.sock)"
    )


def test_the_doctor_names_a_broken_profile_in_russian_only(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "profiles"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('id = "mine"\nimage = "x:1"\n')
    done = _russian_cli_without_docker(tmp_path, "doctor")
    assert done.returncode == 0
    assert "mine.toml: нет ключа «hf_model_id»." in done.stdout
    assert done.stderr == ""  # the doctor's line says it; no English log line beside it


@pytest.mark.docker
def test_the_doctor_says_a_model_still_loading_does_not_answer_yet(
    tmp_path: Path,
    sim_image: str,
    run_id: str,
    docker_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop.runtime import containers as ct
    from desktop.runtime.profiles import load_profiles

    # GIVEN our model's container, up but still loading (its server does not answer yet)
    _lang(monkeypatch, "ru_RU.UTF-8")
    _sim_profile(f"slow-{run_id}", sim_image, startup_s=300)
    profile = load_profiles()[f"slow-{run_id}"]
    port = free_port()
    kwargs = ct.create_kwargs(
        profile,
        name=f"dots-desktop-slow-{run_id}",
        port=port,
        api_key="dd-test",
        labels={RUN_LABEL: run_id},
        hf_cache=str(tmp_path),
    )
    docker_client.containers.create(**kwargs).start()
    monkeypatch.setenv("DOTS_DESKTOP_PORT", str(port))
    _scope_doctor(monkeypatch, run_id)
    # WHEN the doctor looks
    run(["doctor"])
    out = capsys.readouterr().out
    # THEN it says the model's own server is not answering yet, and where to watch it load
    lines = out.splitlines()
    index = next(i for i, ln in enumerate(lines) if f"127.0.0.1:{port}/v1" in ln)
    said, fix = lines[index], lines[index + 1]
    assert said.startswith(f"     [!!] Сервер модели по адресу http://127.0.0.1:{port}/v1 пока ")
    assert "dots-desktop models status" in fix and "Удалённый сервер http" not in out
