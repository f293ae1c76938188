"""huggingface_hub's answers as the facts a user acts on: the same codes vLLM's log gives
(runtime/diagnosis.py), a gated model's fix asking for the token (ADR 012)."""

from __future__ import annotations

import logging
from pathlib import Path

# At import, not at the first failure (see weights.py: the app preloads these in a worker).
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg

logger = logging.getLogger(__name__)


class WeightsError(DotsError):
    """The weights could not be downloaded; ``cause`` is a runtime FailureCause value."""

    def __init__(self, msg: Msg, *, fix: Msg | None = None, cause: str) -> None:
        super().__init__(msg, fix=fix)
        self.cause = cause


def hub_error(exc: BaseException, repo_id: str) -> WeightsError:
    """huggingface_hub's answer as the same facts vLLM's log gives (not found before gated)."""
    # GatedRepoError is a RepositoryNotFoundError: ask it first.
    if isinstance(exc, GatedRepoError):
        return _gated()
    if isinstance(exc, (RepositoryNotFoundError, RevisionNotFoundError)):
        return _not_found()
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        refused = status_error(exc.response.status_code, "", repo_id)
        if refused is not None:
            return refused
    if isinstance(exc, OfflineModeIsEnabled):
        logger.info("HF_HUB_OFFLINE is set and %s is not downloaded", repo_id)
    else:
        logger.info("the Hub cannot be reached for %s: %s", repo_id, exc)
    return WeightsError(
        Msg(Code.MODEL_DOWNLOAD_OFFLINE),
        fix=Msg(Code.FIX_MODEL_DOWNLOAD_OFFLINE),
        cause="model_download_offline",
    )


def offline_error() -> BaseException:
    return OfflineModeIsEnabled("HF_HUB_OFFLINE is set")


def status_error(status: int, error_code: str, repo_id: str) -> WeightsError | None:
    """A refusal as the Hub words it in ``X-Error-Code`` and the status; None for a 5xx."""
    if error_code == "GatedRepo":
        return _gated()
    if error_code in ("RepoNotFound", "RevisionNotFound") or status == 404:
        return _not_found()
    if status in (401, 403):
        return _gated()
    if 400 <= status < 500:
        return WeightsError(
            Msg.of(Code.WEIGHTS_HUB_REFUSED, model=repo_id, status=status),
            fix=Msg(Code.FIX_WEIGHTS_CUT),
            cause="model_download_offline",
        )
    return None


def _gated() -> WeightsError:
    return WeightsError(Msg(Code.MODEL_GATED), fix=Msg(Code.FIX_WEIGHTS_GATED), cause="model_gated")


def _not_found() -> WeightsError:
    return WeightsError(
        Msg(Code.MODEL_NOT_FOUND), fix=Msg(Code.FIX_MODEL_NOT_FOUND), cause="model_not_found"
    )


def folder_error(folder: Path, exc: OSError) -> WeightsError:
    return WeightsError(
        Msg.of(Code.WEIGHTS_FOLDER_UNWRITABLE, folder=str(folder), detail=exc.strerror or str(exc)),
        fix=Msg(Code.FIX_WEIGHTS_FOLDER),
        cause="disk_full" if exc.errno == 28 else "weights_cut",
    )
