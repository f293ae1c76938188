"""Shared pieces for the simulator's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One HTTP client for the whole run (creating a client costs ~50-300 ms)."""
    with httpx.Client(timeout=30) as client:
        yield client
