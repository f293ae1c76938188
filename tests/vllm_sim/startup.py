"""The start-up sequence: vLLM's log lines in order, memory arithmetic and start-up faults."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from .config import VLLM_VERSION, SimConfig
from .console import ENGINE, Console

GIB = 1024**3
KV_BYTES_PER_TOKEN = 28 * 1024  # dots.ocr: 28 layers x 2 KV heads x 128 dims x 2 (K,V) x bf16
PROFILE_PEAK_GIB = 1.2  # the vision encoder's dummy pass at the largest image
NON_TORCH_GIB = 0.25
GRAPH_GIB = 0.45
BLOCK = 16


class StartupError(Exception):
    """The engine could not start; ``exit_code`` is what the process exits with."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class BootReport:
    kv_cache_tokens: int
    kv_cache_gib: float


_STEP_WEIGHTS = {
    "api": 0.05,
    "engine": 0.10,
    "weights": 0.35,
    "compile": 0.15,
    "profile": 0.10,
    "kv": 0.05,
    "graphs": 0.15,
    "serve": 0.05,
}


def _non_default_args(config: SimConfig) -> str:
    shown: dict[str, object] = {"model_tag": config.model}
    for name in config.explicit:
        value = getattr(config, name)
        if name == "served_model_name":
            value = list(value)
        if name == "api_key":
            continue  # vLLM prints it; a log that ends up in bug reports should not
        shown[name] = value
    return repr(shown)


def _engine_failure(console: Console, root_cause: str, where: str) -> StartupError:
    """Print the traceback tail vLLM shows when the engine core dies during start-up."""
    console.log("ERROR", "core.py:708", "EngineCore failed to start.", ENGINE)
    console.log("ERROR", "core.py:708", "Traceback (most recent call last):", ENGINE)
    console.log("ERROR", "core.py:708", f'  File "/usr/local/lib/python3.12/{where}"', ENGINE)
    console.log("ERROR", "core.py:708", root_cause, ENGINE)
    console.plain(f"Process {ENGINE}:\nTraceback (most recent call last):", error=True)
    console.plain(f'  File "/usr/local/lib/python3.12/{where}"\n{root_cause}', error=True)
    console.plain(
        "Traceback (most recent call last):\n"
        '  File "/usr/local/bin/vllm", line 10, in <module>\n'
        "    sys.exit(main())\n"
        "RuntimeError: Engine core initialization failed. See root cause above. "
        "Failed core proc(s): {}",
        error=True,
    )
    return StartupError(root_cause.splitlines()[-1])


def _no_device(console: Console) -> StartupError:
    """What vLLM 0.11.0 prints in a container that sees no GPU (before the engine starts)."""
    console.plain(
        "Traceback (most recent call last):\n"
        '  File "/usr/local/bin/vllm", line 10, in <module>\n'
        "    sys.exit(main())\n"
        '  File "/usr/local/lib/python3.12/site-packages/vllm/config/device.py", line 58, '
        "in __post_init__\n"
        '    raise RuntimeError("Failed to infer device type")\n'
        "RuntimeError: Failed to infer device type",
        error=True,
    )
    return StartupError("RuntimeError: Failed to infer device type")


def _hub_not_found(console: Console, model: str) -> StartupError:
    """huggingface_hub's answer for a model id that does not exist (it says "gated" too)."""
    console.plain(
        "Traceback (most recent call last):\n"
        "huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. "
        "(Request ID: Root=1-6743a1b2-0c9d8e7f6a5b4c3d2e1f0a9b)\n\n"
        f"Repository Not Found for url: https://huggingface.co/{model}/resolve/main/config.json.\n"
        "Please make sure you specified the correct `repo_id` and `repo_type`.\n"
        "If you are trying to access a private or gated repo, make sure you are authenticated. "
        "For more details, see https://huggingface.co/docs/huggingface_hub/authentication\n"
        "Invalid username or password.",
        error=True,
    )
    return StartupError("huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error.")


def _offline_without_weights(model: str) -> bool:
    """HF_HUB_OFFLINE is set and the Hub cache (HF_HUB_CACHE, else HF_HOME/hub) lacks the model."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in ("1", "true", "yes", "on"):
        return False
    if os.path.isdir(model):
        return False  # a local folder is read as it is
    home = os.environ.get("HF_HOME") or os.path.expanduser("~/.cache/huggingface")
    hub = Path(os.environ.get("HF_HUB_CACHE") or os.path.join(home, "hub"))
    folder = hub / ("models--" + model.replace("/", "--"))
    ref = folder / "refs" / "main"
    commit = ref.read_text().strip() if ref.is_file() else ""
    return not (commit and (folder / "snapshots" / commit / "config.json").is_file())


def _offline_missing(console: Console, model: str) -> StartupError:
    """vLLM 0.11.0 under HF_HUB_OFFLINE=1 when the model is not in the cache (its ModelConfig
    cannot find a config.json; text as vLLM prints it, vllm-project/vllm issue 22043)."""
    console.plain(
        "Traceback (most recent call last):\n"
        '  File "/usr/local/bin/vllm", line 10, in <module>\n'
        "    sys.exit(main())\n"
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for ModelConfig\n"
        f"  Value error, Invalid repository ID or local directory specified: '{model}'.\n"
        "Please verify the following requirements:\n"
        "1. Provide a valid Hugging Face repository ID.\n"
        "2. Specify a local directory that contains a recognized configuration file.\n"
        "   - For Hugging Face models: ensure the presence of a 'config.json'.\n"
        "   - For Mistral models: ensure the presence of a 'params.json'.\n"
        "3. For GGUF: pass the local path of the GGUF checkpoint.\n"
        "   Loading GGUF from a remote repo directly is not yet supported.\n"
        f" [type=value_error, input_value=ArgsKwargs((), {{'model': '{model}', ...}}), "
        "input_type=ArgsKwargs]",
        error=True,
    )
    return StartupError(f"Invalid repository ID or local directory specified: '{model}'.")


async def boot(config: SimConfig, console: Console) -> BootReport:
    """Log the start-up like vLLM over ``startup_seconds``; raise StartupError on a fault."""
    steps = dict(_STEP_WEIGHTS)
    if config.enforce_eager:
        steps.pop("compile")
        steps.pop("graphs")
    scale = config.startup_seconds / sum(steps.values())

    async def pause(step: str) -> None:
        if scale > 0:
            await asyncio.sleep(steps[step] * scale)

    load_seconds = max(0.01, steps["weights"] * config.startup_seconds)
    console.info("api_server.py:1839", f"vLLM API server version {VLLM_VERSION}")
    console.info("utils.py:233", f"non-default args: {_non_default_args(config)}")
    if config.unknown_args:
        console.warning("arg_utils.py:1151", f"Ignoring unknown arguments: {config.unknown_args}")
    if _offline_without_weights(config.model):
        raise _offline_missing(console, config.model)
    console.info("model.py:547", "Resolved architecture: DotsOCRForCausalLM")
    console.info("model.py:1510", f"Using max model len {config.max_model_len}")
    await pause("api")
    console.info("core.py:644", "Waiting for init message from front-end.", ENGINE)
    console.info(
        "core.py:77",
        f"Initializing a V1 LLM engine (v{VLLM_VERSION}) with config: model={config.model!r}, "
        f"dtype={config.dtype}, max_seq_len={config.max_model_len}, "
        f"quantization={config.quantization}, enforce_eager={config.enforce_eager}, "
        f"kv_cache_dtype={config.kv_cache_dtype}, served_model_name={config.primary_name}",
        ENGINE,
    )
    if config.has("no-gpu"):
        raise _no_device(console)
    if config.has("model-not-found"):
        raise _hub_not_found(console, config.model)
    total = config.gpu_total_gib
    budget = total * config.gpu_memory_utilization
    free = config.gpu_free_gib
    if free is None:
        free = budget * 0.6 if config.has("free-memory-low") else total * 0.97
    await pause("engine")
    if free < budget:
        raise _engine_failure(
            console,
            # vLLM 0.11.0 names no device in this line (VLLM.md).
            f"ValueError: Free memory on device ({free:.2f}/{total:.2f} GiB) on startup is "
            f"less than desired GPU memory utilization ({config.gpu_memory_utilization}, "
            f"{budget:.2f} GiB). Decrease GPU memory utilization or reduce GPU memory used by "
            "other processes.",
            "site-packages/vllm/v1/worker/gpu_worker.py",
        )
    console.info("gpu_model_runner.py:2602", f"Starting to load model {config.model}...", ENGINE)
    if config.has("no-kernel-image"):
        await pause("weights")
        raise _engine_failure(
            console,
            "torch.AcceleratorError: CUDA error: no kernel image is available for execution on "
            "the device\nCUDA kernel errors might be asynchronously reported at some other API "
            "call, so the stacktrace below might be incorrect.\nFor debugging consider passing "
            "CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side "
            "assertions.",
            "site-packages/vllm/model_executor/model_loader/base_loader.py",
        )
    await pause("weights")
    console.info(
        "default_loader.py:267", f"Loading weights took {load_seconds * 0.8:.2f} seconds", ENGINE
    )
    console.info(
        "gpu_model_runner.py:2653",
        f"Model loading took {config.weights_gib:.4f} GiB and {load_seconds:.6f} seconds",
        ENGINE,
    )
    console.info(
        "gpu_model_runner.py:3344",
        "Encoder cache will be initialized with a budget of 14400 tokens, and profiled with "
        "1 image items of the maximum feature size.",
        ENGINE,
    )
    if config.has("startup-oom"):
        await pause("profile")
        used = total - 1.13
        raise _engine_failure(
            console,
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.25 GiB. GPU 0 has a "
            f"total capacity of {total:.2f} GiB of which 1.13 GiB is free. Including non-PyTorch "
            f"memory, this process has {used:.2f} GiB memory in use. Of the allocated memory "
            f"{used - 0.6:.2f} GiB is allocated by PyTorch, and 412.52 MiB is reserved by PyTorch "
            "but unallocated. If reserved but unallocated memory is large try setting "
            "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See "
            "documentation for Memory Management  "
            "(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
            "site-packages/vllm/v1/worker/gpu_model_runner.py",
        )
    if not config.enforce_eager:
        await pause("compile")
        console.info(
            "backends.py:548",
            "Using cache directory: /root/.cache/vllm/torch_compile_cache/0/rank_0_0/backbone "
            "for vLLM's torch.compile",
            ENGINE,
        )
        console.info("monitor.py:34", "torch.compile takes 0.9 s in total", ENGINE)
    await pause("profile")
    graphs = 0.0 if config.enforce_eager else GRAPH_GIB
    if config.kv_cache_memory is not None:
        kv_gib = config.kv_cache_memory / GIB
    else:
        kv_gib = budget - config.weights_gib - PROFILE_PEAK_GIB - NON_TORCH_GIB - graphs
    if kv_gib <= 0:
        raise _engine_failure(
            console,
            "ValueError: No available memory for the cache blocks. Try increasing "
            "`gpu_memory_utilization` when initializing the engine.",
            "site-packages/vllm/v1/core/kv_cache_utils.py",
        )
    console.info("gpu_worker.py:298", f"Available KV cache memory: {kv_gib:.2f} GiB", ENGINE)
    per_token = KV_BYTES_PER_TOKEN // (2 if "fp8" in config.kv_cache_dtype else 1)
    kv_tokens = int(kv_gib * GIB / per_token) // BLOCK * BLOCK
    estimated = kv_tokens
    if config.has("kv-too-small"):
        estimated = min(kv_tokens, config.estimated_max_len)
    if config.max_model_len > estimated:
        needed = config.max_model_len * per_token / GIB
        available = estimated * per_token / GIB
        raise _engine_failure(
            console,
            "ValueError: To serve at least one request with the model's max seq len "
            f"({config.max_model_len}), ({needed:.2f} GiB KV cache is needed, which is larger "
            f"than the available KV cache memory ({available:.2f} GiB). Based on the available "
            f"memory, the estimated maximum model length is {estimated}. Try increasing "
            "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
            "site-packages/vllm/v1/core/kv_cache_utils.py",
        )
    await pause("kv")
    console.info("kv_cache_utils.py:1087", f"GPU KV cache size: {kv_tokens:,} tokens", ENGINE)
    console.info(
        "kv_cache_utils.py:1091",
        f"Maximum concurrency for {config.max_model_len:,} tokens per request: "
        f"{kv_tokens / config.max_model_len:.2f}x",
        ENGINE,
    )
    if not config.enforce_eager:
        await pause("graphs")
        sizes = min(67, max(1, config.max_num_seqs // 8 + 3))
        console.plain(
            f"Capturing CUDA graphs (mixed prefill-decode, PIECEWISE): 100%|##########| "
            f"{sizes}/{sizes}"
        )
        console.info(
            "gpu_model_runner.py:3480",
            f"Graph capturing finished in 1 secs, took {GRAPH_GIB:.2f} GiB",
            ENGINE,
        )
    console.info(
        "core.py:210",
        f"init engine (profile, create kv cache, warmup model) took "
        f"{config.startup_seconds * 0.5:.2f} seconds",
        ENGINE,
    )
    console.info("api_server.py:1634", "Supported_tasks: ['generate']")
    await pause("serve")
    return BootReport(kv_tokens, kv_gib)


def announce_listening(console: Console, host: str, port: int) -> None:
    """The lines printed when the HTTP server starts accepting connections."""
    console.info("api_server.py:1912", f"Starting vLLM API server 0 on http://{host}:{port}")
    console.info("launcher.py:34", "Available routes are:")
    for route, methods in (
        ("/health", "GET"),
        ("/ping", "GET, POST"),
        ("/version", "GET"),
        ("/metrics", "GET"),
        ("/v1/models", "GET"),
        ("/v1/chat/completions", "POST"),
    ):
        console.info("launcher.py:42", f"Route: {route}, Methods: {methods}")
    console.plain(f"INFO:     Started server process [{os.getpid()}]")
    console.plain("INFO:     Waiting for application startup.")
    console.plain("INFO:     Application startup complete.")
