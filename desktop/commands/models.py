"""`dots-desktop models list|status|start PROFILE|command PROFILE|stop|logs`: the local model
container."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping

from desktop.commands.modelstatus import ended_fact, progress_fact, status_facts
from desktop.commands.words import cli_words
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.runtime import containers as ct
from desktop.runtime.capability import assess
from desktop.runtime.controller import ContainerController, ContainerState, ControllerStatus
from desktop.runtime.diagnosis import Stage
from desktop.runtime.docker_engine import connect
from desktop.runtime.gpu import GpuSample, read_gpus
from desktop.runtime.planner import plan_memory
from desktop.runtime.profiles import GIB, ModelProfile, find_profile, load_profiles
from desktop.runtime.runline import docker_run_line
from desktop.runtime.status import new_api_key
from desktop.runtime.weights import WeightsProgress
from desktop.runtime.weightsfetch import weights_root

EXIT_OK = 0
EXIT_ERROR = 1


def server_port() -> int:
    """The port the model server is published on (DOTS_DESKTOP_PORT, default 8000)."""
    try:
        return int(os.environ.get("DOTS_DESKTOP_PORT", "8000"))
    except ValueError:
        return 8000


def _fail(why: Msg | tuple[Msg | None, ...] | str) -> int:
    """'error: ...' on stderr in the locale's language; 1. ``why``: facts, or words already
    in that language (a status's problem), or a detail from elsewhere."""
    if isinstance(why, tuple):
        why = tuple(f for f in why if f is not None)
    print(cli_words(Msg.of(Code.CLI_ERROR, why=why)), file=sys.stderr)
    return EXIT_ERROR


def run_models(args: argparse.Namespace) -> int:
    """Dispatch one `models` action; 0 on success, 1 with a one-line cause on stderr."""
    try:
        profiles = load_profiles()
        action = args.models_command
        if action == "list":
            return _list(profiles)
        if action == "logs":
            return _logs(follow=bool(getattr(args, "follow", False)), tail=args.tail)
        if action == "start":
            profile = find_profile(profiles, args.profile)
            verdict = assess(profile)
            if not verdict.runnable:
                # Before any pull or container: say why at once, in the user's language.
                return _fail((verdict.problem, verdict.fix))
            return asyncio.run(_start(profiles, profile))
        if action == "command":
            print(_command_line(find_profile(profiles, args.profile)))
            return EXIT_OK
        if action == "stop":
            return asyncio.run(_stop(profiles))
        return asyncio.run(_status(profiles))
    except DotsError as exc:
        return _fail(exc.facts)


def fit_fact(profile: ModelProfile, gpus: list[GpuSample]) -> Msg:
    """Whether ``profile`` fits the first GPU ('fits', 'does not fit: ...'), or 'no GPU'."""
    if not gpus:
        return Msg(Code.MODELS_FIT_NO_GPU)
    gpu = gpus[0]
    plan = plan_memory(profile, gpu.free_bytes, gpu.total_bytes)
    if not plan.fits:
        why = (plan.shortfall or Msg(Code.NO_GPU), Msg(Code.FIX_NO_FIT))
        return Msg.of(Code.MODELS_FIT_NO, why=why)
    if plan.flags:
        changes = ", ".join(f"{k} {v}" for k, v in plan.flags.items())  # vLLM's own flags
        return Msg.of(Code.MODELS_FITS_WITH, changes=changes)
    return Msg.of(Code.MODELS_FITS, need_gib=plan.needed_bytes / GIB)


def fit_line(profile: ModelProfile, gpus: list[GpuSample]) -> str:
    """``fit_fact`` in the locale's language."""
    return cli_words(fit_fact(profile, gpus))


def _command_line(profile: ModelProfile) -> str:
    """What ``models start`` would run, as one ``docker run`` line (secrets masked)."""
    gpus = read_gpus()
    flags: dict[str, str] = {}
    if gpus and profile.gpu:
        plan = plan_memory(profile, gpus[0].free_bytes, gpus[0].total_bytes)
        flags = dict(plan.flags) if plan.fits else {}
    root = weights_root("")  # the app downloads the weights here first, then starts offline
    kwargs = ct.create_kwargs(
        profile,
        name=ct.container_name(profile.id),
        port=ct.choose_port(server_port()),
        api_key=new_api_key(),
        labels={},
        token=ct.hf_token(),
        overrides=flags,
        hf_cache=str(root) if root else ct.DEFAULT_HF_VOLUME,
        offline=root is not None,
    )
    return docker_run_line(kwargs)


def _list(profiles: Mapping[str, ModelProfile]) -> int:
    gpus = read_gpus()
    if gpus:
        g = gpus[0]
        free, total = g.free_bytes / GIB, g.total_bytes / GIB
        gpu = Msg.of(Code.MODELS_GPU, index=0, name=g.name, free_gib=free, total_gib=total)
        print(cli_words(gpu))
    else:
        print(cli_words(Msg(Code.MODELS_NO_GPU)))
    width = max(len(pid) for pid in profiles)
    for pid, profile in profiles.items():
        mark = "*" if profile.default else " "
        print(f"{mark} {pid:<{width}}  {profile.display_name:<30}  {fit_line(profile, gpus)}")
    return EXIT_OK


def _controller(profiles: Mapping[str, ModelProfile]) -> ContainerController:
    # The CLI exits right after its command: the model must outlive it.
    return ContainerController(port=server_port(), profiles=profiles, keep_running_after_quit=True)


def describe(status: ControllerStatus) -> list[str]:
    """A status as lines in the locale's language (``models status`` and ``models start``)."""
    return [cli_words(fact) for fact in status_facts(status)]


async def _status(profiles: Mapping[str, ModelProfile]) -> int:
    controller = _controller(profiles)
    try:
        status = await controller.adopt(wait=False)
    finally:
        await controller.aclose()
    if status.cause == "docker_unavailable":
        return _fail(_problem(status))
    if status.container_id is None and status.state is not ContainerState.FAILED:
        print(cli_words(Msg(Code.MODELS_NONE_RUNNING_START)))
        return EXIT_OK
    print("\n".join(describe(status)))
    return EXIT_OK


async def _start(profiles: Mapping[str, ModelProfile], profile: ModelProfile) -> int:
    controller = _controller(profiles)
    last = [""]

    def progress(status: ControllerStatus) -> None:
        weights = weights_line(status)
        if weights is not None:
            key, line = weights
            if key != last[0]:
                last[0] = key
                print(line, file=sys.stderr, flush=True)
            return
        fact = progress_fact(status)
        if fact is None:
            return
        line = cli_words(fact)
        if line != last[0]:
            last[0] = line
            print(line, file=sys.stderr, flush=True)

    controller.subscribe(progress)
    try:
        status = await controller.start(profile)
        if status.cause == "model_gated" and ask_token(profile):
            status = await controller.start(profile)  # asked once: the keyring has it now
    finally:
        await controller.aclose()
    if status.state is not ContainerState.READY:
        return _fail(_problem(status) or ended_fact(status.state))
    print("\n".join(describe(status)))
    return EXIT_OK


def ask_token(profile: ModelProfile) -> bool:
    """A gated model in a terminal: ask for the token (not echoed) and keep it in the keyring."""
    if not sys.stdin.isatty():
        return False
    import getpass

    prompt = cli_words(Msg.of(Code.WEIGHTS_TOKEN_ASK, model=profile.hf_model_id)) + " "
    try:
        token = getpass.getpass(prompt).strip()
    except (EOFError, KeyboardInterrupt):
        return False
    if not token:
        return False
    print(cli_words(ct.save_hf_token(token)), file=sys.stderr, flush=True)
    return True


def weights_line(status: ControllerStatus) -> tuple[str, str] | None:
    """The weights download as a stderr line, with the key that changes once a percent:
    'downloading the weights: 1.20 of 5.70 GiB (21%), 12.0 MiB/s, 6:15 left'."""
    if status.stage != Stage.WEIGHTS or status.state is not ContainerState.PULLING:
        return None
    if not status.total_bytes:
        return "weights", cli_words(Msg(Code.STAGE_WEIGHTS))
    fact = WeightsProgress(status.pulled_bytes, status.total_bytes, status.speed, status.eta)
    key = f"weights {int(100 * fact.fraction)}"
    return key, f"{cli_words(Msg(Code.STAGE_WEIGHTS))}: {cli_words(fact.fact())}"


async def _stop(profiles: Mapping[str, ModelProfile]) -> int:
    controller = _controller(profiles)
    try:
        found = await controller.adopt(wait=False)
        if found.cause == "docker_unavailable":
            return _fail(_problem(found))
        if found.container_id is None:
            print(cli_words(Msg(Code.MODELS_NONE_RUNNING)))
            return EXIT_OK
        status = await controller.stop()
    finally:
        await controller.aclose()
    if status.state is ContainerState.FAILED:
        return _fail(_problem(status))
    stopped = status.notice or Msg.of(Code.MODELS_STOPPED, name=found.container_name)
    print(cli_words(stopped))
    return EXIT_OK


def _logs(*, follow: bool, tail: int) -> int:
    client = connect()
    try:
        found = ct.find_server_container(client, server_port())
        if found is None:
            ours = client.containers.list(all=True, filters=ct.managed_filters())
            if not ours:
                return _fail(Msg(Code.MODELS_NO_CONTAINER))
            found = (ours[0], True)
        container = found[0]
        if not follow:
            sys.stdout.write(container.logs(tail=tail).decode("utf-8", errors="replace"))
            return EXIT_OK
        try:
            for chunk in container.logs(stream=True, follow=True, tail=tail):
                sys.stdout.write(chunk.decode("utf-8", errors="replace"))
                sys.stdout.flush()
        except KeyboardInterrupt:
            pass
        return EXIT_OK
    finally:
        client.close()


def _problem(status: ControllerStatus) -> str:
    """Why the model failed and what to do, in the locale's language."""
    if status.problem is None:
        return f"{status.message} {status.fix}".strip()
    return cli_words(status.problem, status.remedy)
