"""Docker fixtures shared by every test folder (loaded as a plugin by tests/conftest.py).

Each test gets a run id; containers it labels with ``RUN_LABEL=<run id>`` are removed on
teardown, so tests never touch each other's containers or anyone else's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

RUN_LABEL = "dots-desktop.test-run"


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def docker_client(run_id: str) -> Iterator[Any]:
    """A plain client; on teardown every container of this test run is removed."""
    import docker

    client = docker.from_env()
    yield client
    for container in client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"}):
        container.remove(force=True)
    client.close()
