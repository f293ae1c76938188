"""Container faults on the real Docker engine (simulator image): a model container killed
mid-batch, a key that never leaks into logs, and containers we did not create left alone."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.core.document import PageStatus
from desktop.engines.batch.batchstore import DONE, BatchStore
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished
from desktop.engines.errors import RetryPolicy
from desktop.engines.remote.server import ServerEngine
from tests.docker_fixtures import RUN_LABEL
from tests.reliability.helpers import assert_one_clear_line

pytestmark = [pytest.mark.docker, pytest.mark.timeout(180)]


@pytest.fixture
async def controller_for(run_id: str, docker_client: Any) -> AsyncIterator[Callable[..., Any]]:
    """Controllers scoped to this run's label so they never touch other tests' containers."""
    from desktop.runtime.controller import ContainerController

    made: list[ContainerController] = []

    def make(**options: Any) -> ContainerController:
        settings: dict[str, Any] = {
            "labels": {RUN_LABEL: run_id},
            "name_prefix": f"dd-rel-{run_id}-",
            "gpu_reader": None,
            "stop_timeout": 5,
            "ready_timeout": 60,
            "token_getter": lambda: None,
            "weights_here": False,  # no Hub here: the image's weights step is not under test
            **options,
        }
        controller = ContainerController(**settings)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        await controller.aclose()


def _sim_profile(sim_image: str, name: str) -> Any:
    from desktop.runtime.profiles import load_profiles

    base = load_profiles()["dots.ocr"]
    return dataclasses.replace(
        base,
        id=f"rel-{name}",
        served_name=f"rel-{name}",
        image=sim_image,
        gpu=False,
        flags=(*base.flags, "--sim-startup-seconds", "0.2"),
    )


async def test_a_container_killed_mid_batch_and_restarted_loses_no_page(
    sim_container: Callable[..., Any], tmp_path: Path
) -> None:
    sim = sim_container(
        "--model", "rednote-hilab/dots.ocr", "--max-num-seqs", "2", "--sim-decode-tps", "900"
    )
    path = tmp_path / "ten.tiff"
    frames = [Image.new("RGB", (500, 700), (255, 255, 250 - i)) for i in range(10)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    retry = RetryPolicy(attempts=100, base_delay=0.1, max_delay=0.5, total=90)
    engine = ServerEngine(sim.base_url, retry=retry)
    store = BatchStore(tmp_path / "batches.sqlite3")
    pipeline = BatchPipeline(engine, store=store, concurrency=2)
    finished: list[PageFinished] = []
    killed = False
    try:
        async for event in pipeline.run([path]):
            if isinstance(event, PageFinished):
                finished.append(event)
                if len(finished) == 3 and not killed:
                    killed = True
                    await asyncio.to_thread(sim.container.kill)  # SIGKILL: the model dies
                    await asyncio.sleep(0.5)
                    await asyncio.to_thread(sim.container.start)  # Docker brings it back
    finally:
        await engine.aclose()
    assert killed
    assert sorted(e.page.index for e in finished) == list(range(10))  # each page once
    assert all(e.page.status is PageStatus.OK for e in finished), [e.page.reason for e in finished]
    assert pipeline.batch_id is not None
    assert [r.status for r in store.pages(pipeline.batch_id)] == [DONE] * 10
    store.close()


async def test_the_generated_key_never_reaches_logs_or_settings(
    controller_for: Callable[..., Any],
    sim_image: str,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    from desktop.core.paths import config_dir, data_dir

    caplog.set_level(logging.DEBUG)
    controller = controller_for(port=_free_port())
    status = await controller.start(_sim_profile(sim_image, "key"))
    assert status.api_key and status.state.value == "ready", status
    key = status.api_key
    await controller.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert key not in logged
    for folder in (config_dir(), data_dir()):
        for file in Path(folder).rglob("*"):
            if file.is_file():
                assert key.encode() not in file.read_bytes(), file


async def test_a_container_squatting_our_name_is_refused_and_left_untouched(
    controller_for: Callable[..., Any], sim_image: str, docker_client: Any, run_id: str
) -> None:
    # Someone else's container already has the name we would give ours (no managed label).
    squatter = docker_client.containers.run(
        sim_image,
        ["--model", "someone/else", "--sim-startup-seconds", "0.1"],
        name=f"dd-rel-{run_id}-rel-name",
        detach=True,
        init=True,
        labels={RUN_LABEL: run_id},
    )
    controller = controller_for(port=_free_port())
    status = await controller.start(_sim_profile(sim_image, "name"))
    assert status.state.value == "failed"
    assert status.cause == "foreign_container_running"
    assert_one_clear_line(status.message)
    await controller.stop()
    await controller.aclose()
    squatter.reload()
    assert squatter.status == "running"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
