"""The memory planner: fits or not against FREE memory now, and which flag to change."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.runtime.planner import needed_bytes, plan_memory, retry_flags_for_kv
from desktop.runtime.profiles import GIB, ModelProfile, load_profiles

CARD = int(15.92 * GIB)  # an RTX 5070 Ti / 4080 as NVML reports it


@pytest.fixture
def profiles() -> dict[str, ModelProfile]:
    return load_profiles()


def test_every_shipped_profile_fits_a_16_gb_card_with_the_desktop_using_1_gib(
    profiles: dict[str, ModelProfile],
) -> None:
    for profile in profiles.values():
        plan = plan_memory(profile, CARD - 1 * GIB, CARD)
        assert plan.fits, (profile.id, plan.advice)
        assert plan.flags == {}, (profile.id, plan.advice)


def test_dots_ocr_estimate_adds_weights_vision_peak_kv_and_overhead(
    profiles: dict[str, ModelProfile],
) -> None:
    p = profiles["dots.ocr"]
    kv = p.kv_bytes_per_token * p.max_model_len * p.max_num_seqs
    # Eager: no CUDA-graph pool; weights 5.7 + vision 2.0 + overhead 0.8 GiB.
    assert needed_bytes(p) == int(7.7 * GIB) + int(0.8 * GIB) + kv


def test_graphs_cost_memory_unless_eager(profiles: dict[str, ModelProfile]) -> None:
    eager = profiles["dots.ocr"]
    graphs = dataclasses.replace(eager, flags=("--trust-remote-code",))
    assert needed_bytes(graphs) > needed_bytes(eager)


def test_little_free_memory_lowers_gpu_memory_utilization_and_says_so(
    profiles: dict[str, ModelProfile],
) -> None:
    plan = plan_memory(profiles["dots.ocr"], 12 * GIB, CARD)
    assert plan.fits
    util = float(plan.flags["--gpu-memory-utilization"])
    assert util * CARD <= 12 * GIB - 0.25 * GIB  # passes vLLM's free-memory gate
    assert "--gpu-memory-utilization" in plan.advice
    assert "12.0 GiB" in plan.advice


def test_a_kv_cache_too_small_for_one_request_lowers_max_model_len(
    profiles: dict[str, ModelProfile],
) -> None:
    p = profiles["qwen3-vl-4b"]
    plan = plan_memory(p, 11.9 * GIB, CARD)  # type: ignore[arg-type]
    assert plan.fits
    new_len = int(plan.flags["--max-model-len"])
    assert 2048 <= new_len < p.max_model_len
    assert "--max-model-len" in plan.advice


def test_not_enough_free_memory_says_how_much_is_missing(
    profiles: dict[str, ModelProfile],
) -> None:
    plan = plan_memory(profiles["qwen3-vl-8b-fp8"], 6 * GIB, CARD)
    assert not plan.fits
    assert "6.0 GiB is free" in plan.advice and "short" in plan.advice


def test_without_a_gpu_nothing_fits(profiles: dict[str, ModelProfile]) -> None:
    plan = plan_memory(profiles["dots.ocr"], 0, 0)
    assert not plan.fits and "No NVIDIA GPU" in plan.advice


def test_fixed_kv_pins_kv_cache_memory_to_the_planned_size(
    profiles: dict[str, ModelProfile],
) -> None:
    p = profiles["dots.ocr"]
    plan = plan_memory(p, CARD - GIB, CARD, fixed_kv=True)
    assert int(plan.flags["--kv-cache-memory-bytes"]) == (
        p.kv_bytes_per_token * p.max_model_len * p.max_num_seqs
    )


def test_a_long_context_reports_fewer_parallel_requests(
    profiles: dict[str, ModelProfile],
) -> None:
    p = dataclasses.replace(profiles["dots.ocr"], max_model_len=131072)
    plan = plan_memory(p, CARD - GIB, CARD)
    assert plan.fits
    assert plan.full_length_sequences < p.max_num_seqs
    assert "full-length request" in plan.advice


def test_retry_uses_the_length_vllm_suggested() -> None:
    assert retry_flags_for_kv(5000) == {"--max-model-len": "5000"}
