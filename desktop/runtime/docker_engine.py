"""Finding and talking to the Docker engine (blocking calls: run them in a worker thread).

Where the engine is: ``DOCKER_HOST``, else the current docker context
(~/.docker/config.json -> contexts/meta/<sha256>/meta.json), else the platform default.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors
import requests

import docker
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg

logger = logging.getLogger(__name__)


class DockerUnavailable(DotsError):
    """Docker is missing, not running, or not allowed for this user."""


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def engine_base_url() -> str | None:
    """The engine address from DOCKER_HOST or the current context; None = SDK default."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host
    name = os.environ.get("DOCKER_CONTEXT")
    cfg = docker_config_dir()
    if not name:
        try:
            name = json.loads((cfg / "config.json").read_text()).get("currentContext")
        except (OSError, ValueError, AttributeError):
            name = None
    if not name or name == "default":
        return None
    meta = cfg / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest() / "meta.json"
    try:
        endpoint = json.loads(meta.read_text())["Endpoints"]["docker"]["Host"]
        return str(endpoint)
    except (OSError, ValueError, KeyError, TypeError):
        logger.info("docker context %s could not be read from %s", name, meta)
        return None


def _platform_fix(missing: bool, permission: bool) -> Msg:
    if permission:
        return Msg(Code.FIX_DOCKER_GROUP)
    if sys.platform == "win32":
        return Msg(Code.FIX_INSTALL_DOCKER_DESKTOP if missing else Code.FIX_START_DOCKER_DESKTOP)
    if sys.platform == "darwin":
        return Msg(Code.FIX_INSTALL_DOCKER_MAC if missing else Code.FIX_START_DOCKER_MAC)
    return Msg(Code.FIX_INSTALL_DOCKER_LINUX if missing else Code.FIX_START_DOCKER_LINUX)


def docker_installed() -> bool:
    """Whether Docker looks installed: its CLI on PATH or Docker Desktop in its usual place."""
    if shutil.which("docker"):
        return True
    if sys.platform == "win32":
        program_files = os.environ.get("PROGRAMFILES", r"C:\Program Files")
        return (Path(program_files) / "Docker" / "Docker" / "Docker Desktop.exe").exists()
    if sys.platform == "darwin":
        return Path("/Applications/Docker.app").exists()
    return Path("/var/run/docker.sock").exists() or Path("/usr/bin/dockerd").exists()


def unavailable_from(exc: BaseException, base_url: str | None) -> DockerUnavailable:
    """A DockerUnavailable with the per-OS fix for a connection failure."""
    text = str(exc)
    where: str | Msg = base_url or Msg(Code.DEFAULT_SOCKET)
    permission = "Permission denied" in text or "PermissionError" in text
    missing = base_url is None and not docker_installed()
    if permission:
        msg = Msg.of(Code.DOCKER_NO_PERMISSION, where=where)
    elif missing:
        msg = Msg(Code.DOCKER_MISSING)
    else:
        msg = Msg.of(Code.DOCKER_DOWN, where=where)
    return DockerUnavailable(msg, fix=_platform_fix(missing, permission))


def connect(timeout: float = 30.0) -> docker.DockerClient:
    """A client that answered a ping, or DockerUnavailable. Blocking."""
    base_url = engine_base_url()
    try:
        if base_url:
            client = docker.DockerClient(base_url=base_url, timeout=int(timeout))
        else:
            client = docker.from_env(timeout=int(timeout))
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise unavailable_from(exc, base_url) from exc
    return client


def is_connection_error(exc: BaseException) -> bool:
    """True for 'the engine went away' errors (SDK calls raise requests' errors then)."""
    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError):
        return True
    return isinstance(exc, docker.errors.DockerException) and "Error while fetching" in str(exc)


@dataclass(slots=True)
class PullProgress:
    """Aggregates per-layer pull events into one percentage and byte count."""

    layers: dict[str, tuple[int, int]] = field(default_factory=dict)
    done_layers: set[str] = field(default_factory=set)
    error: str = ""
    status: str = ""

    def feed(self, event: dict[str, Any]) -> None:
        if event.get("error"):
            self.error = str(event.get("error") or event.get("errorDetail"))
            return
        layer = event.get("id")
        status = str(event.get("status", ""))
        self.status = status
        if not layer or ":" in layer:  # the tag line, not a layer
            return
        detail = event.get("progressDetail") or {}
        if status.startswith("Downloading") and detail.get("total"):
            self.layers[layer] = (int(detail.get("current", 0)), int(detail["total"]))
        elif status in ("Download complete", "Pull complete", "Already exists"):
            self.done_layers.add(layer)
            total = self.layers.get(layer, (0, 0))[1]
            self.layers[layer] = (total, total)
        elif status in {"Pulling fs layer", "Waiting"}:
            self.layers.setdefault(layer, (0, 0))

    @property
    def bytes_done(self) -> int:
        return sum(c for c, _ in self.layers.values())

    @property
    def bytes_total(self) -> int:
        return sum(t for _, t in self.layers.values())

    @property
    def fraction(self) -> float:
        """0..1; layers whose size is not known yet count as not started."""
        if not self.layers:
            return 0.0
        total = self.bytes_total
        if total == 0:
            return len(self.done_layers) / len(self.layers)
        known = [lay for lay, (_, t) in self.layers.items() if t or lay in self.done_layers]
        weight = len(known) / len(self.layers)
        return min(1.0, self.bytes_done / total * weight)
