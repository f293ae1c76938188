"""Start-up stages from vLLM's log lines, and failure causes from exit codes and logs."""

from __future__ import annotations

import pytest

from desktop.runtime.diagnosis import (
    FailureCause,
    StartupStage,
    diagnose,
    diagnose_docker_error,
    stage_of_line,
)

# Lines as vLLM 0.11 prints them (shortened), in start-up order.
VLLM_LINES = [
    ("INFO 11-26 06:00:00 [api_server.py:1839] vLLM API server version 0.11.0", None),
    (
        "(EngineCore_DP0 pid=85) INFO [gpu_model_runner.py:2602] Starting to load model "
        "rednote-hilab/dots.ocr...",
        StartupStage.LOADING_WEIGHTS,
    ),
    (
        "(EngineCore_DP0 pid=85) INFO [gpu_model_runner.py:2653] Model loading took 5.7 GiB "
        "and 20.1 seconds",
        StartupStage.PROFILING,
    ),
    ("INFO [gpu_worker.py:298] Available KV cache memory: 4.2 GiB", StartupStage.KV_CACHE),
    ("INFO [kv_cache_utils.py:1087] GPU KV cache size: 157,000 tokens", StartupStage.KV_CACHE),
    (
        "Capturing CUDA graphs (mixed prefill-decode, PIECEWISE): 100%|####| 67/67",
        StartupStage.CUDA_GRAPHS,
    ),
    (
        "INFO [api_server.py:1912] Starting vLLM API server 0 on http://0.0.0.0:8000",
        StartupStage.API_SERVER,
    ),
]


@pytest.mark.parametrize(("line", "stage"), VLLM_LINES)
def test_each_vllm_line_maps_to_its_stage(line: str, stage: StartupStage | None) -> None:
    assert stage_of_line(line) == stage


def test_stages_come_in_vllm_order() -> None:
    stages = [s for _, s in VLLM_LINES if s is not None]
    assert stages == sorted(stages)
    assert StartupStage.LOADING_WEIGHTS.label == "loading weights"


OOM = (
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.25 GiB. GPU 0 has a total "
    "capacity of 15.92 GiB of which 1.13 GiB is free.\n"
    "RuntimeError: Engine core initialization failed. See root cause above."
)
KV_NEW = (
    "ValueError: To serve at least one request with the model's max seq len (16384), (0.44 GiB "
    "KV cache is needed, which is larger than the available KV cache memory (0.13 GiB). Based "
    "on the available memory, the estimated maximum model length is 5008. Try increasing "
    "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."
)
KV_OLD = (
    "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens "
    "that can be stored in KV cache (12000). Try increasing `gpu_memory_utilization`."
)
FREE = (
    "ValueError: Free memory on device cuda:0 (9.10/15.92 GiB) on startup is less than desired "
    "GPU memory utilization (0.85, 13.53 GiB). Decrease GPU memory utilization or reduce GPU "
    "memory used by other processes."
)


@pytest.mark.parametrize(
    ("exit_code", "logs", "oom_killed", "cause"),
    [
        (1, OOM, False, FailureCause.GPU_OOM),
        (1, FREE, False, FailureCause.FREE_MEMORY_LOW),
        (
            1,
            "torch.AcceleratorError: CUDA error: no kernel image is available for execution on "
            "the device",
            False,
            FailureCause.NO_KERNEL_IMAGE,
        ),
        (
            1,
            "ValueError: No available memory for the cache blocks. Try increasing "
            "`gpu_memory_utilization`",
            False,
            FailureCause.NO_KV_MEMORY,
        ),
        (
            1,
            "huggingface_hub.errors.GatedRepoError: 401 Client Error. Cannot access gated repo",
            False,
            FailureCause.MODEL_GATED,
        ),
        (
            1,
            "huggingface_hub.errors.RepositoryNotFoundError: 404 Client Error. "
            "Repository Not Found",
            False,
            FailureCause.MODEL_NOT_FOUND,
        ),
        (1, "OSError: [Errno 28] No space left on device", False, FailureCause.DISK_FULL),
        (137, "INFO loading weights", True, FailureCause.HOST_OOM),
        (1, "OSError: [Errno 98] Address already in use", False, FailureCause.PORT_IN_USE),
        (
            1,
            "requests.exceptions.ConnectionError: Max retries exceeded with url: "
            "/api/models/rednote-hilab/dots.ocr (Temporary failure in name resolution)",
            False,
            FailureCause.MODEL_DOWNLOAD_OFFLINE,
        ),
    ],
)
def test_each_failure_gets_its_cause_and_a_fix(
    exit_code: int, logs: str, oom_killed: bool, cause: FailureCause
) -> None:
    diag = diagnose(exit_code, logs, oom_killed=oom_killed)
    assert diag.cause is cause
    assert diag.message and diag.fix


@pytest.mark.parametrize(("text", "n"), [(KV_NEW, 5008), (KV_OLD, 12000)])
def test_kv_too_small_carries_the_length_vllm_suggests(text: str, n: int) -> None:
    diag = diagnose(1, "INFO starting\n" + text)
    assert diag.cause is FailureCause.KV_TOO_SMALL
    assert diag.estimated_max_len == n
    assert str(n) in diag.fix


# vLLM 0.11.0 names no device in this line (VLLM.md); older releases said "cuda:0".
FREE_NO_DEVICE = (
    "ValueError: Free memory on device (12.1/15.92 GiB) on startup is less than desired GPU "
    "memory utilization (0.85, 13.53 GiB). Decrease GPU memory utilization or reduce GPU memory "
    "used by other processes."
)


@pytest.mark.parametrize(
    ("text", "free", "total"), [(FREE, 9.10, 15.92), (FREE_NO_DEVICE, 12.1, 15.92)]
)
def test_too_little_free_memory_carries_the_numbers_vllm_printed(
    text: str, free: float, total: float
) -> None:
    diag = diagnose(1, "INFO starting\n" + text)
    assert diag.cause is FailureCause.FREE_MEMORY_LOW
    assert (diag.free_gib, diag.total_gib) == (free, total)


def test_exit_137_without_oom_killed_is_not_called_host_oom() -> None:
    assert diagnose(137, "", oom_killed=False).cause is FailureCause.CRASHED


def test_an_unknown_crash_quotes_the_last_error_line() -> None:
    diag = diagnose(1, "INFO a\nKeyError: 'weird'\nINFO b\n")
    assert diag.cause is FailureCause.CRASHED
    assert "KeyError: 'weird'" in diag.message and "exit code 1" in diag.message


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            '500 Server Error: Internal Server Error ("could not select device driver "" with '
            'capabilities: [[gpu]]")',
            FailureCause.NO_NVIDIA_RUNTIME,
        ),
        (
            "500 Server Error: Get https://registry-1.docker.io/v2/: dial tcp: lookup "
            "registry-1.docker.io: no such host",
            FailureCause.IMAGE_MISSING_OFFLINE,
        ),
        (
            "driver failed programming external connectivity: Bind for 127.0.0.1:8000 failed: "
            "port is already allocated",
            FailureCause.PORT_IN_USE,
        ),
    ],
)
def test_docker_api_errors_are_diagnosed(text: str, cause: FailureCause) -> None:
    diag = diagnose_docker_error(text)
    assert diag is not None and diag.cause is cause


def test_an_unrelated_docker_error_is_not_guessed() -> None:
    assert diagnose_docker_error("409 Conflict: name in use") is None


# vLLM 0.11.0's and huggingface_hub's own words (shared docs, VLLM.md: checked against the code).
HUB_NOT_FOUND = (
    "huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. (Request ID: Root=1-67)\n\n"
    "Repository Not Found for url: https://huggingface.co/rednote-hilab/dots.ocrr/resolve/main/"
    "config.json.\nPlease make sure you specified the correct `repo_id` and `repo_type`.\n"
    "If you are trying to access a private or gated repo, make sure you are authenticated.\n"
    "Invalid username or password."
)
HUB_GATED = (
    "huggingface_hub.errors.GatedRepoError: 403 Client Error. (Request ID: Root=1-68)\n\n"
    "Cannot access gated repo for url https://huggingface.co/org/m/resolve/main/config.json.\n"
    "Access to model org/m is restricted and you are not in the authorized list."
)
FREE_LOW_0110 = (
    "ValueError: Free memory on device (12.1/15.92 GiB) on startup is less than desired GPU "
    "memory utilization (0.85, 13.53 GiB). Decrease GPU memory utilization or reduce GPU memory "
    "used by other processes."
)


def test_a_mistyped_model_id_is_not_found_although_the_hub_also_says_gated() -> None:
    diagnosis = diagnose(1, HUB_NOT_FOUND)
    assert diagnosis.cause is FailureCause.MODEL_NOT_FOUND
    assert "hf_model_id" in diagnosis.fix


def test_a_gated_model_is_still_gated() -> None:
    assert diagnose(1, HUB_GATED).cause is FailureCause.MODEL_GATED


def test_failed_to_infer_device_type_means_the_container_sees_no_gpu() -> None:
    diagnosis = diagnose(1, "RuntimeError: Failed to infer device type")
    assert diagnosis.cause is FailureCause.NO_GPU_IN_CONTAINER
    assert "NVIDIA Container Toolkit" in diagnosis.fix


def test_the_free_memory_numbers_are_read_from_vllm_0110s_line_without_a_device_name() -> None:
    diagnosis = diagnose(1, FREE_LOW_0110)
    assert diagnosis.cause is FailureCause.FREE_MEMORY_LOW
    assert (diagnosis.free_gib, diagnosis.total_gib) == (12.1, 15.92)
    assert "12.10 of 15.92 GiB" in diagnosis.message and "13.53 GiB" in diagnosis.message
