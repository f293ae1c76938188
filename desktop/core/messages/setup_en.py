# ruff: noqa: E501
# (a template reads best on one line)
"""English for the first run: whether a managed model can run here, and the doctor's verdict."""

from __future__ import annotations

from desktop.core.messages.codes import Code

TEMPLATES: dict[Code, str] = {
    # vLLM's own start-up failures (runtime/diagnosis.py)
    Code.GPU_NOT_IN_CONTAINER: 'The model\'s container sees no GPU (vLLM: "Failed to infer device type").',
    Code.FIX_GPU_NOT_IN_CONTAINER: "Install the NVIDIA Container Toolkit and restart Docker (Windows: update Docker Desktop and the NVIDIA driver), or read pages with the built-in engine.",
    Code.FREE_MEMORY_LOW_OF: "Only {free_gib:.2f} of {total_gib:.2f} GiB of GPU memory is free, and --gpu-memory-utilization {utilization:g} asks for {wanted_gib:.2f} GiB.",
    # can a managed model run here (runtime/capability.py)
    Code.CAP_NO_GPU: "No NVIDIA GPU: {profile} needs an NVIDIA GPU and its driver, and none is visible on this computer.",
    Code.FIX_CAP_NO_GPU: "Read pages with the built-in engine (it needs no GPU), or connect to a remote server in Settings.",
    Code.CAP_NO_DOCKER: "{profile} runs in Docker, which is not available: {reason}",
    Code.CAP_GPU_NOT_IN_CONTAINERS: "No GPU for containers: Docker on {host} could not give a container the GPU ({detail}).",
    Code.CAP_NO_FIT: "{profile} does not fit this GPU: {shortfall}",
    # engine names
    Code.ENGINE_WORD_BUILTIN: "the built-in engine",
    Code.ENGINE_WORD_SERVER: "the remote server",
    Code.ENGINE_WORD_MANAGED: "a managed model",
    # the doctor's verdict (commands/doctor.py)
    Code.DOC_BUILTIN_READY: "Built-in engine: ready (its {models} text models are present; Tesseract languages: {languages:join:, }).",
    Code.DOC_BUILTIN_NO_TESSERACT: "Built-in engine: ready (its {models} text models are present; no Tesseract, so pages in other scripts than Latin are read less well).",
    Code.DOC_BUILTIN_MODELS_MISSING: "Built-in engine: its text models are missing ({folder}).",
    Code.DOC_BUILTIN_BROKEN: "Built-in engine: cannot run ({reason})",
    Code.FIX_BUILTIN_REINSTALL: "Reinstall Dots Desktop.",
    Code.DOC_SERVER_NOT_SET: "Remote server: none configured (set DOTS_DESKTOP_ENDPOINT, or --endpoint for one command).",
    Code.DOC_SERVER_READY: "Remote server {endpoint}: reachable ({key}), serves {models:join:, }.",
    Code.DOC_SERVER_READY_CONTEXT: "Remote server {endpoint}: reachable ({key}), serves {models:join:, }; context length {context} tokens.",
    Code.DOC_SERVER_UNREACHABLE: "Remote server {endpoint}: cannot be reached ({detail}).",
    Code.FIX_SERVER_UNREACHABLE: "Check the address and that the server runs.",
    Code.DOC_SERVER_KEY_REFUSED: "Remote server {endpoint}: answers but refuses the API key.",
    Code.FIX_SERVER_KEY: "Set DOTS_DESKTOP_API_KEY (or --api-key) to the server's key.",
    Code.DOC_SERVER_HTTP: "Remote server {endpoint}: answered HTTP {status}.",
    Code.DOC_KEY_ACCEPTED: "key accepted",
    Code.DOC_NO_KEY_NEEDED: "no key needed",
    Code.DOC_SERVER_NO_MODEL: "Remote server {endpoint}: answers but serves no model.",
    Code.DOC_SERVER_MODEL_MISSING: "Remote server {endpoint}: does not serve {model} (it serves {models:join:, }).",
    Code.FIX_SERVER_MODEL: "Set DOTS_DESKTOP_MODEL to one of the served models, or leave it unset.",
    Code.DOC_MANAGED_READY: "Managed model {profile}: can run here.",
    Code.DOC_MANAGED_RUNNING: "Managed model: container {container} serves {model} on port {port}.",
    Code.DOC_MANAGED_BLOCKED: "Managed model {profile}: cannot run here.",
    Code.DOC_PRE_GPU: "NVIDIA GPU: {name}, {free_gib:.1f} of {total_gib:.1f} GiB free.",
    Code.DOC_PRE_GPU_REMOTE: "Docker runs on {host}: its GPU is judged by a probe container there.",
    Code.DOC_PRE_DOCKER: "Docker {version} is running.",
    Code.DOC_PRE_CONTAINER_GPU: "Containers can use the GPU.",
    Code.DOC_PRE_CONTAINER_GPU_UNPROBED: "Whether containers get the GPU is seen at the first start (no image here to probe with).",
    Code.DOC_PRE_FIT: "Memory: {verdict}",
    Code.DOC_PROFILE_BROKEN: "Profile file: {problem}",
    Code.DOC_CAN_READ: "You can read pages here with: {engines:join:, }.",
    Code.DOC_NONE_CAN_READ: "No engine can read pages here.",
    Code.FIX_NONE_CAN_READ: "Fix one of the lines above; the built-in engine needs nothing but this app.",
    # Settings: Test connection (ui/widgets/connectiontest.py)
    Code.SETTINGS_TEST_CONNECTION: "Test connection",
    Code.SETTINGS_TESTING: "Connecting…",
    Code.SETTINGS_NO_ADDRESS: "Enter the server address first.",
    Code.SETTINGS_TEST_OK: "Connected in {ms} ms: {model}, context length {context} tokens.",
    Code.SETTINGS_TEST_OK_NO_CONTEXT: "Connected in {ms} ms: {model} (the server does not report its context length).",
    # model weights on this computer: download, resume, list, delete (runtime/weights*.py)
    Code.STAGE_WEIGHTS: "downloading the weights",
    Code.WEIGHTS_PROGRESS: "{done_gib:.2f} of {total_gib:.2f} GiB ({percent}%), {speed_mib:.1f} MiB/s, {eta} left",
    Code.WEIGHTS_CUT: "The download of {model} stopped after {done_gib:.2f} of {total_gib:.2f} GiB ({detail}); what arrived is kept.",
    Code.FIX_WEIGHTS_CUT: "Start the model again: the download continues from where it stopped.",
    Code.FIX_WEIGHTS_GATED: "Accept the model's licence on huggingface.co, then give your access token when asked (it is kept in the system keyring).",
    Code.WEIGHTS_FOLDER_UNWRITABLE: "The model folder {folder} cannot be written ({detail}).",
    Code.FIX_WEIGHTS_FOLDER: "Choose a model cache folder you can write to in Settings, or free the disk.",
    Code.WEIGHTS_HUB_REFUSED: "Hugging Face refused the download of {model} (HTTP {status}).",
    Code.WEIGHTS_DELETE_RUNNING: "{model} is running; its weights cannot be deleted now.",
    Code.FIX_WEIGHTS_DELETE_RUNNING: "Stop the model first, then delete its weights.",
    Code.WEIGHTS_DELETED: "Deleted {model} ({size_gib:.2f} GiB freed).",
    Code.WEIGHTS_NONE: "No model weights are downloaded yet.",
    Code.WEIGHTS_ENTRY: "{model}: {size_gib:.2f} GiB",
    Code.WEIGHTS_ENTRY_PARTIAL: "{model}: {size_gib:.2f} GiB (download not finished)",
    Code.WEIGHTS_TOKEN_SAVED: "The Hugging Face token is kept in the system keyring.",
    Code.WEIGHTS_TOKEN_NOT_SAVED: "The system keyring could not keep the token ({detail}); set HF_TOKEN instead.",
}
