"""`dots-desktop doctor`: what works here, in plain words, and the exact fix for what does not."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from desktop.commands.models import fit_line, server_port
from desktop.runtime import containers as ct
from desktop.runtime.docker_engine import DockerUnavailable, connect, nvidia_runtime_available
from desktop.runtime.gpu import GpuSample, read_gpus
from desktop.runtime.profiles import GIB, ProfileError, load_profiles

OK, PROBLEM, INFO = "ok", "problem", "info"


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # ok | problem | info
    topic: str
    text: str
    fix: str = ""


def _runtime_fix() -> str:
    if sys.platform == "win32":
        return (
            "Update the NVIDIA driver and Docker Desktop (WSL 2 backend); GPU support is built in."
        )
    return (
        "Install the NVIDIA Container Toolkit, then run: sudo nvidia-ctk runtime configure "
        "--runtime=docker && sudo systemctl restart docker"
    )


def check_docker() -> tuple[list[Finding], Any]:
    try:
        client = connect(timeout=10)
    except DockerUnavailable as exc:
        return [Finding(PROBLEM, "Docker", exc.message, exc.fix)], None
    info = client.info()
    found = [Finding(OK, "Docker", f"engine {info.get('ServerVersion', '?')} is running.")]
    if nvidia_runtime_available(info):
        found.append(Finding(OK, "NVIDIA runtime", "Docker can give containers the GPU."))
    else:
        found.append(
            Finding(
                PROBLEM,
                "NVIDIA runtime",
                "Docker has no NVIDIA runtime, so a model container cannot use the GPU.",
                _runtime_fix(),
            )
        )
    return found, client


def check_gpus(gpus: list[GpuSample]) -> list[Finding]:
    if not gpus:
        return [
            Finding(
                PROBLEM,
                "GPU",
                "No NVIDIA GPU found (or no driver).",
                "Install the NVIDIA driver; without a GPU use the built-in engine "
                "or a remote server.",
            )
        ]
    return [
        Finding(
            OK,
            f"GPU {g.index}",
            f"{g.name}: {g.used_bytes / GIB:.1f} of {g.total_bytes / GIB:.1f} GiB in use, "
            f"{g.free_bytes / GIB:.1f} GiB free.",
        )
        for g in gpus
    ]


def check_profiles(gpus: list[GpuSample]) -> list[Finding]:
    errors: list[ProfileError] = []
    profiles = load_profiles(errors=errors)
    broken = [
        Finding(PROBLEM, "Profile file", e.message, e.fix or "Fix or remove that file.")
        for e in errors
    ]
    if not gpus:
        return [
            *broken,
            Finding(INFO, "Profiles", f"{len(profiles)} profiles; no GPU to run them here."),
        ]
    fits = [
        Finding(OK if line.startswith("fits") else INFO, f"Profile {pid}", line)
        for pid, profile in profiles.items()
        for line in [fit_line(profile, gpus)]
    ]
    return [*broken, *fits]


def check_server(client: Any) -> tuple[list[Finding], str | None, str | None]:
    """The local model container, if any: (findings, endpoint, key)."""
    if client is None:
        return [], None, None
    found = ct.find_server_container(client, server_port())
    if found is None:
        text = "No model server is running (dots-desktop models start PROFILE)."
        return [Finding(INFO, "Model server", text)], None, None
    container, managed = found
    attrs = container.attrs
    port = ct.published_port(attrs) or server_port()
    who = "started by Dots Desktop" if managed else "started by hand; it will be used as is"
    text = f"container {container.name} ({who}) on port {port}."
    endpoint = f"http://127.0.0.1:{port}/v1"
    return [Finding(OK, "Model server", text)], endpoint, ct.api_key_of(attrs)


def check_endpoint(endpoint: str, key: str | None, get: Callable[..., Any] = httpx.get) -> Finding:
    base = endpoint.rstrip("/")
    base = base if base.endswith("/v1") else base + "/v1"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        resp = get(f"{base}/models", headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        return Finding(
            PROBLEM,
            "Endpoint",
            f"{endpoint} cannot be reached ({type(exc).__name__}).",
            "Check the address, or start the model (dots-desktop models start PROFILE).",
        )
    if resp.status_code == 401:
        return Finding(
            PROBLEM,
            "Endpoint",
            f"{endpoint} answers but refuses the API key.",
            "Set DOTS_DESKTOP_API_KEY (or --api-key) to the server's key.",
        )
    if resp.status_code != 200:
        return Finding(PROBLEM, "Endpoint", f"{endpoint} answered HTTP {resp.status_code}.")
    try:
        names = [m.get("id") for m in resp.json().get("data", [])]
    except (ValueError, AttributeError):
        names = []
    served = ", ".join(str(n) for n in names) or "no model"
    accepted = "key accepted" if key else "no key needed"
    return Finding(OK, "Endpoint", f"{endpoint} answers ({accepted}); serves {served}.")


def _optional(f: Finding) -> Finding:
    local = f.topic in ("Docker", "NVIDIA runtime", "GPU")
    if f.level != PROBLEM or not local:
        return f
    return Finding(INFO, f.topic, f.text + " (not needed: the endpoint works)", f.fix)


def run_doctor(args: argparse.Namespace) -> int:
    """Print every finding; exit 1 with the first problem as a one-line cause."""
    findings, client = check_docker()
    gpus = read_gpus()
    findings += check_gpus(gpus)
    findings += check_profiles(gpus)
    try:
        server, endpoint, key = check_server(client)
    finally:
        if client is not None:
            client.close()
    findings += server
    env_endpoint = os.environ.get("DOTS_DESKTOP_ENDPOINT")
    if env_endpoint:
        remote = check_endpoint(env_endpoint, os.environ.get("DOTS_DESKTOP_API_KEY"))
        findings.append(remote)
        if remote.level == OK:
            # A working server elsewhere: a local GPU/Docker is nice to have, not a problem.
            findings = [_optional(f) for f in findings]
    elif endpoint:
        findings.append(check_endpoint(endpoint, key))
    marks = {OK: "[ok]", PROBLEM: "[!!]", INFO: "[--]"}
    for f in findings:
        print(f"{marks[f.level]} {f.topic}: {f.text}")
        if f.fix:
            print(f"     Fix: {f.fix}")
    problems = [f for f in findings if f.level == PROBLEM]
    if problems:
        first = problems[0]
        print(
            f"doctor: {len(problems)} problem(s); first: {first.topic}: {first.text}",
            file=sys.stderr,
        )
        return 1
    return 0
