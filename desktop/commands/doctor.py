"""`dots-desktop doctor`: a verdict per engine, then what can read pages here.

One line per engine (built-in: its models and Tesseract's languages; remote server:
reachable, model listed, context length; managed model: each prerequisite), then "You can
read pages here with: ...". Exit 0 when at least one engine can read pages, 1 when none
can. Findings are facts (codes), worded in the system locale's language.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx

from desktop.commands.models import server_port
from desktop.commands.words import cli_words
from desktop.core.messages import Code, Msg
from desktop.engines.serverprobe import probe_server
from desktop.runtime import containers as ct
from desktop.runtime.capability import Capability, DockerFacts, docker_facts, judge
from desktop.runtime.gpu import GpuSample, read_gpus
from desktop.runtime.profiles import GIB, ProfileError, default_profile, load_profiles


class Level(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    INFO = "info"


MARKS = {Level.OK: "[ok]", Level.PROBLEM: "[!!]", Level.INFO: "[--]"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One line: a fact, how it stands, and the fix when it is a problem."""

    level: Level
    fact: Msg
    fix: Msg | None = None
    indent: int = 0


@dataclass(frozen=True, slots=True)
class EngineVerdict:
    """Whether one engine can read pages here, and the lines that say why."""

    engine: Msg  # its name
    ready: bool
    findings: tuple[Finding, ...]


# ---- built-in engine ------------------------------------------------------------------


def check_builtin(languages: Callable[[], list[str]] | None = None) -> EngineVerdict:
    """RapidOCR's bundled text models present and importable; Tesseract's languages."""
    from desktop.engines.builtin.engine import builtin_available

    name = Msg(Code.ENGINE_WORD_BUILTIN)
    broken = builtin_available()
    if broken is not None:
        line = Finding(
            Level.PROBLEM,
            Msg.of(Code.DOC_BUILTIN_BROKEN, reason=broken),
            Msg(Code.FIX_BUILTIN_REINSTALL),
        )
        return EngineVerdict(name, False, (line,))
    from desktop.engines.builtin.rapid import rapidocr_module

    folder = Path(str(rapidocr_module().__file__)).parent / "models"
    models = sorted(folder.glob("*.onnx"))
    if not models:
        line = Finding(
            Level.PROBLEM,
            Msg.of(Code.DOC_BUILTIN_MODELS_MISSING, folder=str(folder)),
            Msg(Code.FIX_BUILTIN_REINSTALL),
        )
        return EngineVerdict(name, False, (line,))
    if languages is None:
        from desktop.engines.builtin.tesseract import installed_languages

        languages = installed_languages
    found = tuple(languages())
    fact = (
        Msg.of(Code.DOC_BUILTIN_READY, models=len(models), languages=found)
        if found
        else Msg.of(Code.DOC_BUILTIN_NO_TESSERACT, models=len(models))
    )
    return EngineVerdict(name, True, (Finding(Level.OK, fact),))


# ---- remote server -----------------------------------------------------------------------


def check_endpoint(
    endpoint: str,
    key: str | None,
    model: str | None = None,
    get: Callable[..., Any] = httpx.get,
) -> Finding:
    """``GET /v1/models``: reachable, the key accepted, the model listed, its context length."""
    probe = probe_server(endpoint, key, model, get=get)
    return Finding(Level.OK if probe.ok else Level.PROBLEM, probe.facts(key), probe.fix)


def check_server(environ: dict[str, str] | None = None) -> EngineVerdict:
    env = dict(os.environ if environ is None else environ)
    name = Msg(Code.ENGINE_WORD_SERVER)
    endpoint = env.get("DOTS_DESKTOP_ENDPOINT", "").strip()
    if not endpoint:
        return EngineVerdict(name, False, (Finding(Level.INFO, Msg(Code.DOC_SERVER_NOT_SET)),))
    line = check_endpoint(
        endpoint, env.get("DOTS_DESKTOP_API_KEY") or None, env.get("DOTS_DESKTOP_MODEL") or None
    )
    return EngineVerdict(name, line.level is Level.OK, (line,))


# ---- managed model --------------------------------------------------------------------------


def prerequisites(verdict: Capability, docker: DockerFacts, gpus: list[GpuSample]) -> list[Finding]:
    """Each prerequisite of a managed model as one line, indented under the verdict."""
    lines: list[Finding] = []
    if docker.host is not None:
        lines.append(
            Finding(Level.INFO, Msg.of(Code.DOC_PRE_GPU_REMOTE, host=docker.host), None, 1)
        )
    elif gpus:
        lines += [
            Finding(
                Level.OK,
                Msg.of(
                    Code.DOC_PRE_GPU,
                    name=g.name,
                    free_gib=g.free_bytes / GIB,
                    total_gib=g.total_bytes / GIB,
                ),
                None,
                1,
            )
            for g in gpus
        ]
    if docker.reachable:
        lines.append(
            Finding(Level.OK, Msg.of(Code.DOC_PRE_DOCKER, version=docker.version), None, 1)
        )
    elif docker.unavailable is not None:
        lines.append(Finding(Level.PROBLEM, docker.unavailable, docker.unavailable_fix, 1))
    if docker.gpu_for_containers is True:
        lines.append(Finding(Level.OK, Msg(Code.DOC_PRE_CONTAINER_GPU), None, 1))
    elif docker.reachable and docker.gpu_for_containers is None and (gpus or docker.host):
        lines.append(Finding(Level.INFO, Msg(Code.DOC_PRE_CONTAINER_GPU_UNPROBED), None, 1))
    plan = verdict.plan
    if plan is not None and plan.fits and plan.verdict is not None:
        lines.append(Finding(Level.OK, Msg.of(Code.DOC_PRE_FIT, verdict=plan.verdict), None, 1))
    if verdict.problem is not None:
        lines.append(Finding(Level.PROBLEM, verdict.problem, verdict.fix, 1))
    # The same fact twice (Docker down is both a prerequisite and the verdict): say it once.
    seen: set[Msg] = set()
    unique = []
    for line in lines:
        if line.fact not in seen:
            seen.add(line.fact)
            unique.append(line)
    return unique


def check_managed(gpu_reader: Callable[[], list[GpuSample]] = read_gpus) -> EngineVerdict:
    """The default profile's verdict, a running model container, or what is missing."""
    name = Msg(Code.ENGINE_WORD_MANAGED)
    errors: list[ProfileError] = []
    profiles = load_profiles(errors=errors)
    broken = [
        Finding(Level.PROBLEM, Msg.of(Code.DOC_PROFILE_BROKEN, problem=e.msg), e.fix_msg, 1)
        for e in errors
    ]
    profile = default_profile(profiles)
    gpus = gpu_reader()
    docker, client = docker_facts(probe_images=(profile.image,), force_probe=bool(gpus))
    running: list[Finding] = []
    try:
        if client is not None:
            running = _running_server(client)
    finally:
        if client is not None:
            client.close()
    if running and running[-1].level is Level.OK:
        return EngineVerdict(name, True, (*running, *broken))
    verdict = judge(profile, gpus, docker)
    head = Msg.of(
        Code.DOC_MANAGED_READY if verdict.runnable else Code.DOC_MANAGED_BLOCKED,
        profile=profile.display_name,
    )
    level = Level.OK if verdict.runnable else Level.PROBLEM
    lines = (Finding(level, head), *prerequisites(verdict, docker, gpus), *running, *broken)
    # Runnable is not yet reading: it reads once started (dots-desktop models start).
    return EngineVerdict(name, False, lines)


def _running_server(client: Any) -> list[Finding]:
    found = ct.find_server_container(client, server_port())
    if found is None:
        return []
    container, _managed = found
    attrs = container.attrs
    port = ct.published_port(attrs) or server_port()
    cmd = ct.command_of(attrs)
    model = ct.arg_value(cmd, "--served-model-name") or "?"
    fact = Msg.of(Code.DOC_MANAGED_RUNNING, container=container.name, model=model, port=port)
    endpoint = f"http://127.0.0.1:{port}/v1"
    return [Finding(Level.OK, fact), _model_server(endpoint, ct.api_key_of(attrs))]


def _model_server(endpoint: str, key: str | None) -> Finding:
    """This computer's own model server (not the remote one the probe's facts speak of):
    answering, or not yet (still loading), or the probe's problem."""
    probe = probe_server(endpoint, key)
    if probe.problem is not None and probe.problem.code is Code.DOC_SERVER_UNREACHABLE:
        detail = probe.problem.params.get("detail", "")
        fact = Msg.of(Code.DOC_MANAGED_NOT_ANSWERING, endpoint=endpoint, detail=detail)
        return Finding(Level.PROBLEM, fact, Msg(Code.FIX_MANAGED_NOT_ANSWERING), 1)
    if not probe.ok:
        return Finding(Level.PROBLEM, probe.facts(key), probe.fix, 1)
    accepted = Msg(Code.DOC_KEY_ACCEPTED if key else Code.DOC_NO_KEY_NEEDED)
    if probe.context:
        answers = Code.DOC_MANAGED_ANSWERS_CONTEXT
        fact = Msg.of(answers, endpoint=endpoint, key=accepted, context=probe.context)
    else:
        fact = Msg.of(Code.DOC_MANAGED_ANSWERS, endpoint=endpoint, key=accepted)
    return Finding(Level.OK, fact, None, 1)


# ---- the verdict -----------------------------------------------------------------------------


def print_verdicts(verdicts: list[EngineVerdict]) -> int:
    for verdict in verdicts:
        for line in verdict.findings:
            pad = "     " * line.indent
            print(f"{pad}{MARKS[line.level]} {cli_words(line.fact)}")
            if line.fix is not None and line.level is Level.PROBLEM:
                print(f"{pad}     {cli_words(line.fix)}")
    ready = tuple(v.engine for v in verdicts if v.ready)
    if ready:
        print(cli_words(Msg.of(Code.DOC_CAN_READ, engines=ready)))
        return 0
    print(cli_words(Msg(Code.DOC_NONE_CAN_READ), Msg(Code.FIX_NONE_CAN_READ)), file=sys.stderr)
    return 1


def run_doctor(args: argparse.Namespace) -> int:
    """Print each engine's verdict; 0 when at least one can read pages here."""
    return print_verdicts([check_builtin(), check_server(), check_managed()])
