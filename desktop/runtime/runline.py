"""The ``docker run`` command line equivalent to the container the app creates.

``dots-desktop models command PROFILE`` prints it so a user can reproduce the start by hand
or adapt it; secrets (the API key, a Hugging Face token) are masked.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

MASK = "****"
_SECRET_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "VLLM_API_KEY")


def docker_run_args(kwargs: Mapping[str, Any]) -> list[str]:
    """``docker run ...`` as arguments for the ``containers.create`` keyword arguments."""
    args = ["docker", "run", "--detach", "--name", str(kwargs["name"])]
    if kwargs.get("init"):
        args.append("--init")
    if kwargs.get("device_requests"):
        args += ["--gpus", "all"]
    if kwargs.get("ipc_mode"):
        args += ["--ipc", str(kwargs["ipc_mode"])]
    if kwargs.get("shm_size"):
        args += ["--shm-size", str(kwargs["shm_size"])]
    for inside, (host, port) in (kwargs.get("ports") or {}).items():
        args += ["--publish", f"{host}:{port}:{inside.split('/')[0]}"]
    for source, bind in (kwargs.get("volumes") or {}).items():
        args += ["--volume", f"{source}:{bind['bind']}"]
    for key, value in (kwargs.get("environment") or {}).items():
        args += ["--env", f"{key}={MASK if key in _SECRET_ENV else value}"]
    for key, value in (kwargs.get("labels") or {}).items():
        args += ["--label", f"{key}={value}"]
    policy = kwargs.get("restart_policy")
    if policy:
        args += ["--restart", str(policy["Name"])]
    entry = list(kwargs.get("entrypoint") or [])
    if entry:
        # docker run's --entrypoint takes one program; the rest of it leads the command.
        args += ["--entrypoint", entry[0]]
    command = [str(a) for a in kwargs.get("command") or []]
    return [*args, str(kwargs["image"]), *entry[1:], *_mask_key(command)]


def _mask_key(command: list[str]) -> list[str]:
    out = list(command)
    for i, arg in enumerate(out):
        if arg == "--api-key" and i + 1 < len(out):
            out[i + 1] = MASK
        elif arg.startswith("--api-key="):
            out[i] = f"--api-key={MASK}"
    return out


def docker_run_line(kwargs: Mapping[str, Any]) -> str:
    """The command line, quoted for a POSIX shell."""
    return shlex.join(docker_run_args(kwargs))
