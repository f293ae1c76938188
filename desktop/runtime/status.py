"""What the controller tells the UI: the container's state, stage, endpoint or failure."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from desktop.core.messages import Code, Msg
from desktop.runtime.diagnosis import Diagnosis, FailureCause, Stage, StartupStage


class ContainerState(StrEnum):
    ABSENT = "absent"
    PULLING = "pulling"
    STARTING = "starting"
    READY = "ready"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ControllerStatus:
    """What the UI shows: state, start-up stage or pull progress, endpoint, failure."""

    state: ContainerState = ContainerState.ABSENT
    profile_id: str | None = None
    stage: Stage | None = None
    stages_seen: tuple[Stage, ...] = ()
    progress: float | None = None
    pulled_bytes: int = 0
    total_bytes: int = 0
    speed: float = 0.0  # bytes/s of the weights download (stage WEIGHTS)
    eta: float | None = None  # its seconds left, None while not known
    endpoint: str | None = None  # OpenAI base URL, ".../v1"
    api_key: str | None = field(default=None, repr=False)  # never in logs or repr()
    served_name: str | None = None
    max_model_len: int | None = None
    container_name: str | None = None
    container_id: str | None = None
    managed: bool = True
    adopted: bool = False
    cause: FailureCause | None = None
    message: str = ""  # ``problem`` in English (the CLI, logs)
    fix: str = ""  # ``remedy`` in English
    note: str = ""  # ``notice`` in English
    problem: Msg | None = None  # why it failed, as a fact the UI words
    remedy: Msg | None = None
    estimated_max_len: int | None = None  # vLLM's estimate when the KV cache was too small
    free_gib: float | None = None  # what vLLM saw free / in all when memory was short
    total_gib: float | None = None
    notice: Msg | None = None  # what the app changed or left alone (a fact the UI words)

    @property
    def server_url(self) -> str | None:
        return self.endpoint.removesuffix("/v1") if self.endpoint else None


class Superseded(Exception):  # control flow, never shown
    """A newer switch/stop request replaced this one."""


class StartFailed(Exception):  # carries a Diagnosis
    """The start failed for the diagnosed reason."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.message)
        self.diagnosis = diagnosis


def stage_from_label(label: Stage | str | None) -> StartupStage:
    for stage in StartupStage:
        if stage.label == label:
            return stage
    return StartupStage.CREATED


def engine_lost() -> Diagnosis:
    return Diagnosis(
        FailureCause.DOCKER_UNAVAILABLE, Msg(Code.DOCKER_LOST), Msg(Code.FIX_DOCKER_LOST)
    )


def new_api_key() -> str:
    """A fresh random key per start (vLLM checks it on every /v1 request).

    The prefix matters: a urlsafe token may begin with "-", which vLLM's argument parser
    would read as a flag ("--api-key: expected one argument").
    """
    return "dd-" + secrets.token_urlsafe(24)
