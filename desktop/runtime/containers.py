"""How our vLLM containers are described to Docker, and how running ones are recognised."""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Mapping, Sequence
from typing import Any

import docker.types

from desktop.core.messages import Code, Msg
from desktop.runtime.profiles import ModelProfile

logger = logging.getLogger(__name__)

MANAGED_LABEL = "dots-desktop.managed"
PROFILE_LABEL = "dots-desktop.profile"
PORT_LABEL = "dots-desktop.port"
CONTAINER_PORT = 8000
HF_CACHE_IN_CONTAINER = "/root/.cache/huggingface"
DEFAULT_HF_VOLUME = "dots-desktop-hf-cache"
KEYRING_SERVICE = "dots-desktop"
KEYRING_HF_USER = "huggingface-token"
# Every vLLM image serves with this entrypoint and the model as its first argument; the
# pinned v0.11.0 image's own entrypoint is the older api_server module (VLLM.md).
ENTRYPOINT = ("vllm", "serve")


def container_name(profile_id: str, prefix: str = "dots-desktop-") -> str:
    return prefix + re.sub(r"[^a-zA-Z0-9_.-]", "-", profile_id)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` when nothing listens there, else a free port the OS picks."""
    if port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = int(sock.getsockname()[1])
    logger.info("port %d is busy; using %d", preferred, port)
    return port


_session_token: list[str] = []  # given this session where the keyring could not keep it


def hf_token() -> str | None:
    """The Hugging Face token: HF_TOKEN, else the OS keyring (its errors mean 'no token'),
    else one given this session. Blocking (the keyring may ask D-Bus)."""
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    try:
        import keyring

        kept = keyring.get_password(KEYRING_SERVICE, KEYRING_HF_USER)
        if kept:
            return kept
    except Exception as exc:  # no backend, locked keychain, D-Bus missing...
        logger.info("keyring unavailable (%s); starting without a Hugging Face token", exc)
    return _session_token[-1] if _session_token else None


def save_hf_token(token: str) -> Msg:
    """Keep the token in the OS keyring (asked once); this session keeps it where that fails.
    Returns what was done, as a fact. Blocking."""
    _session_token[:] = [token.strip()]
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, KEYRING_HF_USER, token.strip())
    except Exception as exc:  # no backend, locked keychain, D-Bus missing...
        logger.info("keyring could not keep the token: %s", exc)
        return Msg.of(Code.WEIGHTS_TOKEN_NOT_SAVED, detail=type(exc).__name__)
    return Msg(Code.WEIGHTS_TOKEN_SAVED)


def create_kwargs(
    profile: ModelProfile,
    *,
    name: str,
    port: int,
    api_key: str,
    labels: Mapping[str, str],
    hf_cache: str = DEFAULT_HF_VOLUME,
    token: str | None = None,
    overrides: Mapping[str, str] | None = None,
    bind_host: str = "127.0.0.1",
    restart_policy: str | None = None,
    offline: bool = False,
) -> dict[str, Any]:
    """Arguments for ``client.containers.create``: ``vllm serve MODEL --flags``.

    ``offline``: the weights were downloaded on this computer into ``hf_cache`` (a folder);
    the container reads them with the Hub offline and needs no token."""
    env = dict(profile.env)
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    elif token:
        env["HF_TOKEN"] = token
    # A named volume by default; an absolute path means a folder on request.
    volumes = {hf_cache: {"bind": HF_CACHE_IN_CONTAINER, "mode": "rw"}}
    all_labels = {
        MANAGED_LABEL: "1",
        PROFILE_LABEL: profile.id,
        PORT_LABEL: str(port),
        **labels,
    }
    kwargs: dict[str, Any] = {
        "image": profile.image,
        "entrypoint": list(ENTRYPOINT),
        "command": profile.vllm_args(port=CONTAINER_PORT, api_key=api_key, overrides=overrides),
        "name": name,
        "labels": all_labels,
        "environment": env,
        "ports": {f"{CONTAINER_PORT}/tcp": (bind_host, port)},
        "volumes": volumes,
        "init": True,  # so SIGTERM reaches vllm and stop takes 0.1 s, not the full timeout
        "detach": True,
    }
    if profile.ipc_host:
        kwargs["ipc_mode"] = "host"
    else:
        kwargs["shm_size"] = profile.shm_size
    if restart_policy:
        # e.g. "unless-stopped": the model comes back after a reboot (with keep-running).
        kwargs["restart_policy"] = {"Name": restart_policy}
    if profile.gpu:
        kwargs["device_requests"] = [docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])]
    return kwargs


def arg_value(args: Sequence[str], flag: str) -> str | None:
    """The value of ``--flag V`` or ``--flag=V`` in a command line."""
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def command_of(attrs: Mapping[str, Any]) -> list[str]:
    """Entrypoint + arguments as Docker reports them."""
    config = attrs.get("Config") or {}
    entry = config.get("Entrypoint") or []
    cmd = config.get("Cmd") or attrs.get("Args") or []
    return [str(a) for a in [*entry, *cmd]]


def env_of(attrs: Mapping[str, Any]) -> dict[str, str]:
    pairs = (attrs.get("Config") or {}).get("Env") or []
    return dict(p.split("=", 1) for p in pairs if "=" in p)


def published_port(attrs: Mapping[str, Any], container_port: int = CONTAINER_PORT) -> int | None:
    """The host port bound to the container's server port (any published tcp port else)."""
    ports = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    bindings = ports.get(f"{container_port}/tcp")
    if not bindings:
        bindings = next((b for k, b in ports.items() if k.endswith("/tcp") and b), None)
    if not bindings:
        return None
    try:
        return int(bindings[0]["HostPort"])
    except (KeyError, ValueError, IndexError, TypeError):
        return None


def published_ports(attrs: Mapping[str, Any]) -> set[int]:
    ports = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    found = set()
    for bindings in ports.values():
        for b in bindings or []:
            try:
                found.add(int(b["HostPort"]))
            except (KeyError, ValueError, TypeError):
                continue
    return found


def looks_like_vllm(attrs: Mapping[str, Any]) -> bool:
    """A container started by hand that serves vLLM (image, name or command says so)."""
    image = str((attrs.get("Config") or {}).get("Image", ""))
    name = str(attrs.get("Name", "")).lstrip("/")
    cmd = command_of(attrs)
    return (
        "vllm" in image.lower()
        or "vllm" in name.lower()
        or "serve" in cmd
        or any(a == "--model" or a.startswith("--model=") for a in cmd)
    )


def api_key_of(attrs: Mapping[str, Any]) -> str | None:
    """The key the server was started with (flag or VLLM_API_KEY), if any."""
    return arg_value(command_of(attrs), "--api-key") or env_of(attrs).get("VLLM_API_KEY")


def managed_filters(labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Docker list filters for our containers (optionally scoped by extra labels)."""
    extra = [f"{k}={v}" for k, v in (labels or {}).items()]
    return {"label": [f"{MANAGED_LABEL}=1", *extra]}


def find_server_container(
    client: Any, port: int, labels: Mapping[str, str] | None = None
) -> tuple[Any, bool] | None:
    """A running model server: ours by label first, else a vLLM container published on
    ``port`` (e.g. one the user started by hand). Returns (container, managed). Blocking."""
    ours = client.containers.list(filters={**managed_filters(labels), "status": "running"})
    if ours:
        return ours[0], True
    for container in client.containers.list():
        attrs = container.attrs
        if port in published_ports(attrs) and looks_like_vllm(attrs):
            labels_of = (attrs.get("Config") or {}).get("Labels") or {}
            return container, labels_of.get(MANAGED_LABEL) == "1"
    return None
