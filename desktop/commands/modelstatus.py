"""What `models status` and `models start` tell about the model container, as facts.

The state and its start-up stage, the container and who started it, the model, where it
listens, why it failed; and the start's progress lines. The runtime reports enums and
numbers (``ControllerStatus``); these functions make them facts, and the CLI words them in
the locale's language (``cli_words``).
"""

from __future__ import annotations

from desktop.core.messages import Code, Msg
from desktop.runtime.diagnosis import Stage, stage_fact
from desktop.runtime.status import ContainerState, ControllerStatus

_STATES = {
    ContainerState.ABSENT: Code.MODELS_STATE_ABSENT,
    ContainerState.PULLING: Code.MODELS_STATE_PULLING,
    ContainerState.STARTING: Code.MODELS_STATE_STARTING,
    ContainerState.READY: Code.MODELS_STATE_READY,
    ContainerState.STOPPING: Code.MODELS_STATE_STOPPING,
    ContainerState.STOPPED: Code.MODELS_STATE_STOPPED,
    ContainerState.FAILED: Code.MODELS_STATE_FAILED,
}

#: A stage that says its state (as precisely or more): "downloading the weights", not
#: "downloading (downloading the weights)". Only with that state: a failed download fails.
_SAYS_THE_STATE = {
    (ContainerState.PULLING, Stage.PULLING),
    (ContainerState.PULLING, Stage.WEIGHTS),
    (ContainerState.STARTING, Stage.CREATED),
    (ContainerState.READY, Stage.READY),
    (ContainerState.STOPPING, Stage.STOPPING),
}


def state_fact(state: ContainerState) -> Msg:
    """A container state as a word."""
    return Msg(_STATES[state])


def ended_fact(state: ContainerState) -> Msg:
    """A start that ended short of ready, without a diagnosed cause."""
    return Msg.of(Code.MODELS_ENDED_IN_STATE, state=state_fact(state))


def _state_and_stage(status: ControllerStatus, joined: Code) -> Msg:
    """The state with its stage (``joined``: how the two are put together), said once."""
    state = state_fact(status.state)
    if not status.stage:
        return state
    stage = stage_fact(status.stage)
    if stage is None:  # a stage this version does not know: as it came
        return Msg.of(joined, state=state, stage=str(status.stage))
    if (status.state, status.stage) in _SAYS_THE_STATE:
        return stage
    return Msg.of(joined, state=state, stage=stage)


def progress_fact(status: ControllerStatus) -> Msg | None:
    """A start's progress line: the image pull in gigabytes, else the state and its stage;
    None before there is a container or an image to tell of."""
    if status.state is ContainerState.ABSENT:
        return None
    if status.state is ContainerState.PULLING and status.total_bytes:
        return Msg.of(
            Code.MODELS_PULL_PROGRESS,
            percent=round(100 * (status.progress or 0)),
            done_gb=status.pulled_bytes / 1e9,
            total_gb=status.total_bytes / 1e9,
        )
    return _state_and_stage(status, Code.MODELS_PROGRESS_STAGE)


def status_facts(status: ControllerStatus) -> list[Msg]:
    """A status line by line (``models status``, the end of ``models start``)."""
    state = _state_and_stage(status, Code.MODELS_STATE_WITH_STAGE)
    lines = [Msg.of(Code.MODELS_LINE_STATE, state=state)]
    if status.container_name:
        ours = Code.MODELS_LINE_CONTAINER_OURS
        who = ours if status.managed else Code.MODELS_LINE_CONTAINER_BY_HAND
        lines.append(Msg.of(who, name=status.container_name))
    if status.profile_id or status.served_name:
        model, profile = status.served_name or "?", status.profile_id or "?"
        lines.append(Msg.of(Code.MODELS_LINE_MODEL, model=model, profile=profile))
    if status.endpoint:
        lines.append(Msg.of(Code.MODELS_LINE_ENDPOINT, endpoint=status.endpoint))
    if status.api_key:
        lines.append(Msg.of(Code.MODELS_LINE_API_KEY, key=status.api_key))
    if status.max_model_len:
        lines.append(Msg.of(Code.MODELS_LINE_MAX_LEN, tokens=status.max_model_len))
    if status.problem is not None:
        why = tuple(f for f in (status.problem, status.remedy) if f is not None)
        lines.append(Msg.of(Code.MODELS_LINE_PROBLEM, why=why))
    elif status.message:  # a status from before facts: its English as it is
        why_en = f"{status.message} {status.fix}".strip()
        lines.append(Msg.of(Code.MODELS_LINE_PROBLEM, why=why_en))
    if status.notice is not None or status.note:
        lines.append(Msg.of(Code.MODELS_LINE_NOTE, note=status.notice or status.note))
    return lines
