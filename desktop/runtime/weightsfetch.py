"""The controller's weights step: download on this computer, with progress, before the container.

Mixed into ContainerController (through LifecycleMixin). The status stays ``PULLING`` with
stage ``WEIGHTS`` and carries bytes, total, speed and time left; a failure is a Diagnosis with
the same facts vLLM's log would give (docs/adr/012-weights-on-the-host.md).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from pathlib import Path

from desktop.runtime import containers as ct
from desktop.runtime import weights
from desktop.runtime.capability import docker_host
from desktop.runtime.diagnosis import Diagnosis, FailureCause, Stage
from desktop.runtime.docker_engine import engine_base_url
from desktop.runtime.profiles import ModelProfile
from desktop.runtime.readiness import ReadinessMixin
from desktop.runtime.status import ContainerState, StartFailed, Superseded
from desktop.runtime.weightstore import default_root

logger = logging.getLogger(__name__)


def weights_root(hf_cache: str) -> Path | None:
    """The folder the weights go to on this computer; None: the container fetches them
    itself (a named Docker volume, or a Docker engine on another machine). Blocking."""
    if hf_cache and not Path(hf_cache).is_absolute():
        return None  # the name of a Docker volume
    if docker_host(engine_base_url()) is not None:
        return None  # this computer's folder is not on the Docker host
    return Path(hf_cache) if hf_cache else default_root()


class WeightsMixin(ReadinessMixin):
    weights_here: bool

    def weights_root(self) -> Path | None:
        return weights_root(self.hf_cache) if self.weights_here else None

    def _volume(self) -> str:
        return self.hf_cache or ct.DEFAULT_HF_VOLUME

    async def _ensure_weights(self, profile: ModelProfile, gen: int) -> Path | None:
        """Download what is missing into the weights folder; its root, or None (see above)."""
        root = await self._call(self.weights_root)
        if root is None:
            return None
        self._set(
            state=ContainerState.PULLING,
            stage=Stage.WEIGHTS,
            progress=0.0,
            pulled_bytes=0,
            total_bytes=0,
            speed=0.0,
            eta=None,
        )
        loop = asyncio.get_running_loop()
        cancel = threading.Event()

        def report(p: weights.WeightsProgress) -> None:
            if gen != self._generation:
                cancel.set()  # stopped or replaced: the next start continues from here
                return
            loop.call_soon_threadsafe(
                functools.partial(
                    self._set,
                    progress=p.fraction,
                    pulled_bytes=p.done,
                    total_bytes=p.total,
                    speed=p.speed,
                    eta=p.eta,
                )
            )

        token = await self._call(self._token_getter)
        fetch = functools.partial(
            weights.download, profile.hf_model_id, root, token=token, on_progress=report,
            cancel=cancel,
        )  # fmt: skip
        try:
            await self._call(fetch)
        except weights.Cancelled:
            raise Superseded from None  # stopped or replaced; the bytes stay for the next try
        except weights.WeightsError as exc:
            raise StartFailed(Diagnosis(FailureCause(exc.cause), exc.msg, exc.fix_msg)) from exc
        finally:
            cancel.set()
        logger.info("weights of %s are in %s", profile.hf_model_id, root)
        return root
