# ruff: noqa: E501
# (a template reads best on one line)
"""English: the sentences the CLI, the JSON and the logs have always shown (keep them)."""

from __future__ import annotations

from desktop.core.messages.codes import Code
from desktop.core.messages.setup_en import TEMPLATES as SETUP

_FITS = "Close programs using the GPU, or choose a smaller profile."

TEMPLATES: dict[Code, str] = {
    # files
    Code.NOT_REGULAR_FILE: "{name}: not a regular file (a pipe, socket or device).",
    Code.FILE_MISSING: "{name}: the file does not exist.",
    Code.IS_FOLDER: "{name}: this is a folder, not a file.",
    Code.FILE_UNREADABLE: "{name}: the file cannot be read ({detail}).",
    Code.CAPTURE_NOT_SAVED: "{name}: the image could not be kept in the cache folder ({detail}).",
    Code.FILE_EMPTY: "{name}: the file is empty.",
    Code.NOT_IMAGE_OR_PDF: "{name}: not an image or PDF this app reads.",
    Code.IMAGE_DAMAGED: "{name}: the image is damaged or truncated ({detail}).",
    Code.IMAGE_TOO_LARGE: (
        "{name}: the image has {width}x{height} pixels, more than the {limit_mp} MP limit."
    ),
    Code.IMAGE_TOO_MANY_PIXELS: "{name}: the image has too many pixels, more than the {limit_mp} MP limit.",
    Code.IMAGE_NO_PIXELS: "{name}: the image has no pixels.",
    Code.FRAME_UNREADABLE: "{name}: page {page} cannot be read ({detail}).",
    Code.PAGE_NOT_IN_FILE: "{name}: page {page} does not exist; the file has {count} page(s).",
    Code.NO_DATA: "{name}: there is no data.",
    Code.PAGE_RANGE_INVALID: '"{part}" is not a page range.',
    Code.PAGE_RANGE_BEYOND: "Page {page} does not exist; the document has {count} page(s).",
    Code.PAGE_RANGE_EMPTY: '"{spec}" selects no pages.',
    Code.FIX_SAVE_TO_FILE: "Save the pages to a file and open that.",
    Code.FIX_CHECK_READABLE: "Check that it exists and you may read it.",
    Code.FIX_USE_FORMATS: "Use PNG, JPEG, WebP, BMP, GIF, TIFF or PDF.",
    Code.FIX_RESAVE_IMAGE: "Open it in an image viewer and save it again.",
    Code.FIX_SCALE_DOWN: "Scale it down or crop it before reading it.",
    Code.FIX_PAGE_RANGE_FORMAT: 'Write pages like "1-3,7".',
    # PDF
    Code.PDF_WRONG_PASSWORD: "{name}: the password is wrong.",
    Code.PDF_PASSWORD: "{name}: the PDF is protected by a password.",
    Code.PDF_DAMAGED: "{name}: the PDF is damaged or incomplete ({detail}).",
    Code.PDF_NO_PAGES: "{name}: the PDF has no pages.",
    Code.FIX_CHECK_PASSWORD: "Check it and try again.",
    Code.FIX_ENTER_PASSWORD: "Enter its password to read it.",
    Code.FIX_RESAVE_PDF: "Open it in a PDF viewer and save or print it to a new PDF.",
    # page geometry and context
    Code.PAGE_NO_PIXELS: "The image has no pixels ({width}x{height}).",
    Code.ASPECT_TOO_EXTREME: "The page is {width}x{height} pixels, an aspect ratio above {limit}.",
    Code.FIX_CROP_PIECES: "Crop it into shorter pieces and read those.",
    Code.CONTEXT_TOO_SMALL: (
        "The server's context of {tokens} tokens cannot hold a page image and an answer."
    ),
    Code.FIX_LARGER_MODEL_LEN: "Restart the model with a larger --max-model-len.",
    Code.CONTEXT_TOO_LONG: "The page does not fit the server's context even after fitting it{tried}.",
    Code.CONTEXT_TOO_LONG_SIZED: (
        "The page does not fit the server's {tokens}-token context even after fitting it{tried}."
    ),
    Code.FIX_LOWER_MAX_TOKENS: (
        "Lower --max-tokens or restart the model with a larger --max-model-len."
    ),
    Code.IMAGE_REDUCED: (
        "image reduced to {width}x{height} to fit the server's {tokens}-token context"
    ),
    Code.ANSWER_LIMITED: "answer limited to {tokens} tokens (asked for {asked})",
    Code.ANSWER_TOO_SLOW: (
        "The answer was still coming after {seconds} s, longer than its token budget needs;"
        " it was cut there."
    ),
    Code.ANSWER_TOO_BIG: (
        "The answer passed {chars} characters, more than its token budget can hold;"
        " it was cut there."
    ),
    Code.FIT_NOTES: "{notes:join:; }",
    Code.FIT_TRIED: " ({notes:join:; })",
    # servers and HTTP
    Code.SERVER_UNAVAILABLE: "No OCR server answers at {url}.",
    Code.FIX_START_MODEL: "Start the model from the Model panel or check the address.",
    Code.AUTH_REJECTED: "The OCR server at {url} rejected the API key.",
    Code.AUTH_NEEDED: "The OCR server at {url} needs an API key.",
    Code.FIX_SET_API_KEY: (
        "Set the key with --api-key or DOTS_DESKTOP_API_KEY (Settings in the window)."
    ),
    Code.MODEL_NOT_SERVED: "The server does not serve a model named {model!r}; it serves: {served}.",
    Code.MODEL_NOT_SERVED_NONE: "The server does not serve a model named {model!r}; it serves: none.",
    Code.FIX_PICK_SERVED: "Leave the model name empty to use the served one, or pick one of those.",
    Code.SERVER_TIMEOUT: "The OCR server at {url} did not answer in time.",
    Code.FIRST_TOKEN_TIMEOUT: "The OCR server did not start answering within {seconds:.0f} s.",
    Code.STREAM_QUIET: "The OCR server went quiet for {seconds:.0f} s while reading a page.",
    Code.STREAM_BROKEN: (
        "The connection to the OCR server at {url} broke while reading ({kind});"
        " it may have crashed or restarted."
    ),
    Code.NO_MODELS_LISTED: "The server at {url} lists no models yet.",
    Code.NOT_A_MODEL_LIST: "{url} answered /v1/models with something that is not a model list.",
    Code.SERVER_SAYS: "The server says: {detail}",
    Code.HTTP_REFUSED: "The server refused the request (HTTP {status}): {detail}",
    Code.HTTP_FAILED: "The OCR server failed (HTTP {status}): {detail}.",
    Code.HTTP_FAILED_BARE: "The OCR server failed (HTTP {status}): no details.",
    # the answer stream
    Code.STREAM_EVENT_MALFORMED: "The server sent a malformed stream event.",
    Code.STREAM_EVENT_UNREADABLE: "The server sent a malformed stream event: {text!r}.",
    Code.STREAM_EVENT_TOO_DEEP: (
        "The server sent a stream event nested too deeply to read; it was rejected."
    ),
    Code.STREAM_SERVER_ERROR: "The server failed while writing: {detail}",
    # engines
    Code.NO_ENGINE: "No OCR engine is configured.",
    Code.FIX_CHOOSE_ENGINE: "Open Settings and choose one.",
    Code.NO_SERVER_ADDRESS: "No server address is set.",
    Code.FIX_ENTER_ENDPOINT: "Open Settings and enter the endpoint URL.",
    Code.ENGINE_NEEDS_ADDRESS: "The server engine needs the server's address.",
    Code.FIX_PASS_ENDPOINT: "Pass --endpoint URL or set DOTS_DESKTOP_ENDPOINT.",
    Code.BUILTIN_NOT_IN_BUILD: "The built-in engine is not part of this build ({detail}).",
    Code.BUILTIN_LIBRARIES_MISSING: (
        "the built-in OCR needs rapidocr, onnxruntime and OpenCV ({detail})"
    ),
    Code.FIX_USE_SERVER_ENGINE: "Use --engine server with --endpoint URL.",
    Code.UNKNOWN_ENGINE: "Unknown engine {kind!r}.",
    Code.FIX_ENGINE_KINDS: "Use server or builtin.",
    Code.CANNOT_CHAT: "{engine} cannot chat about pages.",
    Code.FIX_CHAT_MODEL: "Start a chat-capable model (dots.ocr or Qwen3-VL) from the Model panel.",
    Code.BUILTIN_CANNOT_CHAT: "The built-in CPU engine reads pages but cannot chat about them.",
    Code.FIX_START_SERVER_TO_CHAT: "Start a model server or container to ask questions about a page.",
    Code.REGION_NEEDED: "Reading a region needs a region: draw a box on the page first.",
    Code.TESSERACT_MISSING: "Tesseract is not installed, so '{languages}' text cannot be read.",
    Code.TESSERACT_NO_PACK: "Tesseract has no language pack for {languages}.",
    Code.FIX_INSTALL_TESSERACT: "To read it, {how}.",
    Code.INSTALL_PACK: "install Tesseract's {language} language pack: {how}",
    Code.INSTALL_WITH_PACK: "install Tesseract with its {language} language pack: {how}",
    Code.HOW_WINDOWS_NEW: "use the UB Mannheim Tesseract installer and tick {lang}.traineddata under the additional language data",
    Code.HOW_WINDOWS_ADD: "rerun the UB Mannheim installer and tick {lang}.traineddata, or copy {lang}.traineddata into Tesseract's tessdata folder",
    Code.HOW_LINUX_PACKAGE: "install your distribution's Tesseract package for '{lang}'",
    Code.BUNDLED_LANGUAGES_ONLY: (
        "The bundled OCR models read Latin and Chinese text, not '{languages}'."
    ),
    Code.FIX_LET_ENGINE_CHOOSE: "Leave the backend to the engine: Tesseract reads other languages.",
    Code.TESSERACT_FAILED: "Tesseract failed: {detail}.",
    Code.BUILTIN_CANNOT_START: "The built-in engine cannot start: {detail}.",
    Code.BUILTIN_CANNOT_RUN: "The built-in engine cannot run here: {detail}",
    Code.FIX_CHECK_TESSERACT: "Check its installation and language packs.",
    Code.LAYOUT_PASS_EMPTY: "the layout-only pass found no blocks",
    Code.BATCH_MISSING: "No batch {batch_id} is stored.",
    Code.INTERNAL_ERROR: "An internal error stopped the reading ({kind}; see the log).",
    Code.INTERNAL_ERROR_IN: "{name}: an internal error stopped the reading ({kind}; see the log).",
    Code.UNEXPECTED: "{kind}: {detail}",
    Code.EXPORT_FAILED: "Could not write {target}: {detail}.",
    Code.FIX_FREE_SPACE: "Free some space or choose another --out folder.",
    Code.FIX_WRITABLE_FOLDER: "Choose a folder you may write to.",
    # page reasons
    Code.READ_WITH_TESSERACT: "read with Tesseract ({languages})",
    Code.LOOP_SAME_BLOCK: "the same {category} block was repeated {times} times",
    Code.LOOP_TEXT: "the text {text!r} repeated {times} times",
    Code.PAGE_LOOP_CUT: "A repetition loop was cut ({loop}).",
    Code.PAGE_LOOP_REREAD: (
        "A repetition loop was stopped after {chars} characters ({loop});"
        " the page was re-read as layout plus {regions} regions."
    ),
    Code.PAGE_LOOP_REREAD_FAILED: (
        "A repetition loop was stopped after {chars} characters ({loop});"
        " re-reading failed: {error}"
    ),
    Code.PAGE_CUT_AT_LIMIT: "The answer was cut at the token limit.",
    Code.PAGE_EMPTY_ANSWER: "The model returned an empty answer.",
    Code.PAGE_LIMIT_BEFORE_BLOCK: "The answer hit the token limit before any block.",
    Code.PAGE_LIMIT_KEPT: (
        "The answer hit the token limit; {count} complete {count:plural:block|blocks} kept."
    ),
    Code.PAGE_LIMIT_KEPT_CUT: (
        "The answer hit the token limit; {count} complete {count:plural:block|blocks} kept"
        " and the cut-off last one."
    ),
    Code.PAGE_NO_LAYOUT: "The model's answer contains no readable layout blocks.",
    Code.PAGE_JSON_RECOVERED: (
        "The model's JSON was malformed; {count} {count:plural:block|blocks} recovered."
    ),
    Code.PAGE_JSON_RECOVERED_CUT: (
        "The model's JSON was malformed; {count} {count:plural:block|blocks} recovered"
        " and the cut-off last one."
    ),
    Code.PAGE_REPEATS_REMOVED: (
        "{count} repeated {count:plural:block|blocks} removed (the model looped)."
    ),
    Code.PAGE_STOPPED_EARLY: "The answer stopped early ({finish}).",
    Code.PAGE_BOXLESS_LEFT_OUT: (
        "{count} {count:plural:block|blocks} without a usable box left out."
    ),
    Code.PAGE_NO_USABLE_BOX: "The model's answer has no block with a usable box; {left_out}",
    Code.PAGE_CANCELLED: "Cancelled.",
    Code.SCRIPT_CYRILLIC: "Cyrillic",
    Code.SCRIPT_GREEK: "Greek",
    Code.SCRIPT_ARABIC: "Arabic",
    Code.SCRIPT_HEBREW: "Hebrew",
    Code.SCRIPT_DEVANAGARI: "Devanagari",
    Code.PAGE_NOT_RENDERED: "The page could not be rendered.",
    Code.EARLIER_PAGE_FAILED: "An earlier page could not be read.",
    Code.ENGINE_NO_RESULT: "The engine ended without a result.",
    Code.PAGE_STREAM_CUT: "The answer broke off after {count} {count:plural:block|blocks}, which are kept: {why}",
    Code.PAGE_TEXT_CUT: "The answer broke off; the text received is kept: {why}",
    # -- issue 15, reader side: cut regions, DPI, prose, categories ---------------------
    Code.BLOCK_CUT_LOOP: "its read looped ({loop}) and was stopped",
    Code.BLOCK_CUT_LIMIT: "its read reached the {tokens}-token limit",
    Code.PAGE_REGIONS_CUT: (
        "{count:plural:Region|Regions} {regions:join:, } {count:plural:was|were} cut short"
        " and {count:plural:is|are} marked […]: {why:join:; }."
    ),
    Code.PAGE_DPI_REDUCED: (
        "Rendered at {used} DPI instead of {asked}: at {asked} DPI the page would have"
        " {megapixels} million pixels, more than the {limit} million the model reads."
    ),
    Code.PAGE_PROSE_KEPT: (
        "The model answered in prose instead of layout JSON; its text is kept as one Text"
        " block without positions."
    ),
    Code.BLOCK_CATEGORY_UNKNOWN: "the model called it {category!r}",
    Code.PAGE_UNKNOWN_CATEGORIES: (
        "{count} {count:plural:block has|blocks have} a category dots.ocr does not use"
        " ({names:join:, }); kept as Text."
    ),
    # -- (end of issue 15, reader side) -----------------------------------------------
    Code.FOREIGN_SCRIPT: (
        "This page looks like {script} text (such as {language}), which the built-in models"
        " do not read; to read it, {how}."
    ),
    # -- built-in engine, odd pages (engines/builtin/pageprep.py) ------------------------
    Code.PAGE_READ_SMALLER: (
        "The page is {width}x{height} pixels, so it was read scaled down to"
        " {read_width}x{read_height} to stay within memory, and very small print may be missed."
    ),
    Code.PAGE_TURNED: "The print lay turned, so the page was read rotated {degrees} degrees clockwise.",
    # -- (end of built-in engine, odd pages) ---------------------------------------------
    # Docker and the model runtime
    Code.DEFAULT_SOCKET: "the default socket",
    Code.DOCKER_NO_PERMISSION: "Docker is running but this user may not use it ({where}).",
    Code.DOCKER_MISSING: "Docker is not installed.",
    Code.DOCKER_DOWN: "Docker is not running or cannot be reached ({where}).",
    Code.FIX_DOCKER_GROUP: (
        "Add yourself to the docker group (sudo usermod -aG docker $USER),"
        " then log out and back in."
    ),
    Code.FIX_INSTALL_DOCKER_DESKTOP: (
        "Install Docker Desktop with the WSL 2 backend, then start it."
    ),
    Code.FIX_START_DOCKER_DESKTOP: "Start Docker Desktop and wait until it says 'Engine running'.",
    Code.FIX_INSTALL_DOCKER_MAC: (
        "Install and start Docker Desktop (note: macOS has no NVIDIA GPU; use a remote server"
        " or the built-in engine)."
    ),
    Code.FIX_START_DOCKER_MAC: (
        "Start Docker Desktop (note: macOS has no NVIDIA GPU; use a remote server"
        " or the built-in engine)."
    ),
    Code.FIX_INSTALL_DOCKER_LINUX: (
        "Install Docker Engine (https://docs.docker.com/engine/install/)"
        " and the NVIDIA Container Toolkit."
    ),
    Code.FIX_START_DOCKER_LINUX: "Start it with: sudo systemctl start docker",
    Code.DOCKER_LOST: "Docker stopped responding.",
    Code.FIX_DOCKER_LOST: "Start Docker again; the app reconnects when you start the model.",
    Code.NO_KERNEL_IMAGE: "The GPU is newer than the CUDA build in this vLLM image.",
    Code.FIX_NO_KERNEL_IMAGE: (
        "Use an image built with CUDA 12.8 or newer (and a driver >= 570) for RTX 50xx cards."
    ),
    Code.FREE_MEMORY_LOW: "Less GPU memory is free than --gpu-memory-utilization asks for.",
    Code.FIX_FREE_MEMORY_LOW: (
        "Close programs using the GPU, or lower --gpu-memory-utilization in the profile."
    ),
    Code.NO_KV_MEMORY: "Nothing was left for the KV cache after loading the model.",
    Code.FIX_NO_KV_MEMORY: "Raise --gpu-memory-utilization, or choose a smaller or FP8 profile.",
    Code.GPU_OOM: "The GPU ran out of memory while the model started.",
    Code.FIX_GPU_OOM: (
        "Close programs using the GPU, lower --max-model-len / --max-num-seqs,"
        " or add --enforce-eager."
    ),
    Code.MODEL_GATED: (
        "Hugging Face refused the download: the model is gated or the token is missing."
    ),
    Code.FIX_MODEL_GATED: (
        "Accept the model's licence on huggingface.co and save your token in Settings."
    ),
    Code.MODEL_NOT_FOUND: "Hugging Face does not know this model id.",
    Code.FIX_MODEL_NOT_FOUND: "Check hf_model_id in the profile.",
    Code.DISK_FULL: "The disk is full (model weights need several GB).",
    Code.FIX_DISK_FULL: "Free disk space where Docker keeps its volumes, then start again.",
    Code.PORT_IN_USE: "The port is already in use by another program.",
    Code.FIX_PORT_IN_USE: "Stop the other server or choose another port in Settings.",
    Code.NO_NVIDIA_RUNTIME: (
        "Docker cannot give containers the GPU (NVIDIA Container Toolkit missing)."
    ),
    Code.FIX_NO_NVIDIA_RUNTIME: (
        "Install the NVIDIA Container Toolkit and restart Docker"
        " (Windows: update Docker Desktop and the NVIDIA driver)."
    ),
    Code.MODEL_DOWNLOAD_OFFLINE: (
        "The model weights are not in the cache and Hugging Face cannot be reached."
    ),
    Code.FIX_MODEL_DOWNLOAD_OFFLINE: "Connect to the internet once to download the model.",
    Code.HOST_OOM: "The computer ran out of RAM and the system killed the model server.",
    Code.FIX_HOST_OOM: (
        "Close programs, or give Docker more memory (Docker Desktop: Settings > Resources)."
    ),
    Code.IMAGE_MISSING_OFFLINE: (
        "The model image is not on this computer and the registry cannot be reached."
    ),
    Code.FIX_IMAGE_MISSING_OFFLINE: (
        "Connect to the internet once so the image can be downloaded (docker pull)."
    ),
    Code.KV_TOO_SMALL: (
        "The KV cache cannot hold one full-length request; vLLM estimates {tokens} tokens fit."
    ),
    Code.FIX_KV_TOO_SMALL: (
        "Start with --max-model-len {tokens} (or raise --gpu-memory-utilization)."
    ),
    Code.SERVER_CRASHED: "The model server stopped (exit code {exit_code}).",
    Code.SERVER_CRASHED_SAYING: "The model server stopped (exit code {exit_code}): {line}",
    Code.FIX_SEE_MODEL_LOG: "See the model log (dots-desktop models logs) for details.",
    Code.READY_TIMEOUT: "The model did not become ready within {seconds:.0f} s.",
    Code.FIX_SEE_MODEL_LOG_SHORT: "See the model log (dots-desktop models logs).",
    Code.FOREIGN_SERVES: (
        "The container '{container}' was not started by Dots Desktop and already serves"
        " {served} on port {port}."
    ),
    Code.FIX_FOREIGN_SERVES: "Use it as it is, or stop it first (docker stop {container}).",
    Code.FOREIGN_NAME: "A container named '{container}' exists that Dots Desktop did not create.",
    Code.FIX_FOREIGN_NAME: "Rename or remove it (docker rm {container}).",
    Code.GPU_NOT_RELEASED: (
        "GPU memory did not return to its level from before the model started within"
        " {seconds:.0f} s: {held_gib:.1f} GiB is still held."
    ),
    Code.FIX_GPU_NOT_RELEASED: (
        "Close the program holding GPU memory (nvidia-smi lists it), then start again."
    ),
    Code.NOT_ENOUGH_VRAM: (
        "{profile} needs about {need_gib:.1f} GiB but only {free_gib:.1f} GiB is free"
        " ({short_gib:.1f} GiB short)."
    ),
    Code.NO_GPU: "No NVIDIA GPU: this profile cannot run here.",
    Code.PLAN_FITS: "Fits: needs about {need_gib:.1f} GiB, {free_gib:.1f} GiB free.",
    Code.PLAN_FITS_CHANGED: "Fits: needs about {need_gib:.1f} GiB, {free_gib:.1f} GiB free: {changes:join:; }.",
    Code.PLAN_UTIL_LOWERED: "only {free_gib:.1f} GiB of {total_gib:.1f} GiB is free, so --gpu-memory-utilization goes from {before:g} to {after:.2f}",
    Code.PLAN_LEN_LOWERED: "--max-model-len goes from {before} to {after} (the KV cache must hold one full-length request)",
    Code.PLAN_KV_PINNED: "--kv-cache-memory-bytes is pinned to {gib:.1f} GiB",
    Code.PLAN_FEW_SEQUENCES: "about {count} full-length request(s) fit at once (the profile allows {allowed}); lower --max-model-len for more",
    Code.NOTE_KV_RESTARTED: "vLLM estimated that at most {tokens} tokens per request fit the KV cache, so the model was restarted with --max-model-len {tokens}.",
    Code.NOTE_UNKNOWN_API_KEY: "The server wants an API key this app does not know; set it in Settings.",
    Code.NOTE_LEFT_RUNNING: "'{container}' was left running: Dots Desktop did not start it.",
    Code.FIX_NO_FIT: _FITS,
    Code.DOCKER_START_FAILED: "Docker could not start the container: {detail}",
    Code.DOCKER_REFUSED: "Docker refused: {detail}",
    Code.FIX_SEE_DOCKER_ERROR: "See the Docker error above.",
    Code.PULL_FAILED: "Docker could not download {image}: {detail}",
    Code.FIX_PULL_FAILED: "Check the image name in the profile and the internet connection.",
    # model profiles
    Code.PROFILE_KEY_MISSING: "{where}: missing key '{key}'.",
    Code.FIX_ADD_KEY: "Add it to the profile.",
    Code.PROFILE_KEY_TYPE: "{where}: key '{key}' must be {kinds}, got {value}.",
    Code.PROFILE_KEY_UNKNOWN: "{where}: unknown key '{key}'.",
    Code.FIX_CHECK_SPELLING: "Check the spelling.",
    Code.PROFILE_ID_EMPTY: "{where}: key 'id' must not be empty.",
    Code.PROFILE_MANAGED_FLAG: "{where}: key 'flags' must not contain {flag}.",
    Code.FIX_MANAGED_FLAG: "Set it in [memory] (or it is chosen by the app).",
    Code.PROFILE_MODE_UNKNOWN: "{where}: key 'modes' has {mode!r}; allowed: {allowed}.",
    Code.PROFILE_BOX_CONVENTION: "{where}: key 'box_convention' must be one of {allowed}.",
    Code.PROFILE_UTILIZATION: (
        "{where}: key 'gpu_memory_utilization' must be between 0.05 and 0.99."
    ),
    Code.PROFILE_LENGTHS: "{where}: keys 'max_model_len' (>= 256) / 'max_num_seqs' (>= 1).",
    Code.PROFILE_NOT_TOML: "{where}: not valid TOML ({detail}).",
    Code.PROFILE_UNREADABLE: "{where}: cannot be read ({detail}).",
    Code.NO_PROFILES: "No model profiles found.",
    Code.FIX_NO_PROFILES: "Reinstall, or add one to the config folder.",
    Code.PROFILE_UNKNOWN: "No model profile '{name}'.",
    Code.FIX_KNOWN_PROFILES: "Known: {names}.",
    # the command line
    Code.CLI_NO_SUCH_FILE: "{path}: no such file. Check the path.",
    Code.CLI_FOLDER_UNREADABLE: "{path}: the folder cannot be read ({detail}).",
    Code.CLI_FOLDER_EMPTY: "{path}: the folder has no images or PDFs to read.",
    Code.CLI_SKIPPED: "{path}: skipped {count} {count:plural:file that is|files that are} not an image or PDF.",
    Code.CLI_NONE_READ: "None of the {count} inputs could be read.",
    Code.CLI_LANG_IGNORED: "Note: --lang {languages} is ignored: it applies to --engine builtin only.",
    Code.CLI_PAGE_LINE: "{prefix}page {done}/{total} {status}",
    Code.CLI_PAGE_LINE_WHY: "{prefix}page {done}/{total} {status} ({why})",
    Code.CLI_WROTE: "wrote {target}",
    Code.CLI_WROTE_WORKBOOK: "wrote {target} ({count} tables)",
    Code.CLI_WROTE_CSVS: "wrote {count} CSV files to {folder}",
    Code.CLI_UNEXPECTED: "Unexpected error: {kind}: {detail}",
    Code.CLI_INTERRUPTED: "Interrupted.",
    Code.CLI_PAGE_NOT_READ: "Not read: {why}",
    Code.CLI_RENAMED: "{source}: written as {name}, another input has the same name.",
    Code.CLI_WROTE_PICTURES: "wrote {count} {count:plural:picture|pictures} to {folder}",
    Code.USAGE_CONCURRENCY: "--concurrency must be 1 or more.",
    Code.USAGE_DPI: "--dpi must be between 36 and 1200.",
    Code.USAGE_MAX_TOKENS: "--max-tokens must be 1 or more.",
    Code.USAGE_XLSX_OUT: "--format xlsx writes a workbook: add --out DIR.",
    Code.USAGE_SERVER_ENDPOINT: "--engine server needs --endpoint URL (or DOTS_DESKTOP_ENDPOINT).",
    Code.USAGE_LANG: "--lang {lang!r}: use auto or language codes such as rus or rus+eng.",
    Code.USAGE_IN_FILE: "{file}: {error}",
    Code.STATUS_PENDING: "pending",
    Code.STATUS_OK: "ok",
    Code.STATUS_PARTIAL: "partial",
    Code.STATUS_RECOVERED: "recovered",
    Code.STATUS_FAILED: "failed",
    # start-up stages
    Code.STAGE_PULLING: "downloading the image",
    Code.STAGE_CREATED: "starting the container",
    Code.STAGE_LOADING_WEIGHTS: "loading weights",
    Code.STAGE_PROFILING: "profiling memory",
    Code.STAGE_KV_CACHE: "allocating the KV cache",
    Code.STAGE_CUDA_GRAPHS: "capturing CUDA graphs",
    Code.STAGE_API_SERVER: "starting the API server",
    Code.STAGE_READY: "ready",
    Code.STAGE_STOPPING: "stopping",
    # extraction by schema (issue 17)
    Code.SCHEMA_NOT_JSON: "{name}: the schema is not valid JSON (line {line}).",
    Code.SCHEMA_NOT_OBJECT: '{name}: the schema must describe an object with properties ("type": "object").',
    Code.SCHEMA_BROKEN: "{name}: not a valid JSON Schema (at {pointer}).",
    Code.SCHEMA_UNREADABLE: "{name}: the schema file cannot be read ({detail}).",
    Code.FIX_SCHEMA_FILE: "Give a JSON Schema file such as the templates in resources/schemas.",
    Code.BREACH_MISSING: "the field {pointer} is missing",
    Code.BREACH_TYPE: "the field {pointer} is not of type {expected}",
    Code.BREACH_CHOICE: "the field {pointer} is not one of the allowed values",
    Code.BREACH_RULE: "the field {pointer} breaks the schema's {rule} rule",
    Code.EXTRACT_NOT_JSON: "Page {page}: the model did not answer JSON.",
    Code.EXTRACT_BREACH: "Page {page}: the answer breaks the schema: {breach}.",
    Code.EXTRACT_BREACH_MERGED: "The pages together break the schema: {breach}.",
    Code.EXTRACT_NO_CHAT: "{model} cannot fill a schema: it only reads pages.",
    Code.FIX_EXTRACT_CHAT_MODEL: "Use a chat model such as Qwen3-VL, or dots.mocr's general prompt.",
    Code.CLI_EXTRACT_FAILED: "{source}: {why}",
    Code.CLI_EXTRACT_PAGE: "{source}: page {done}/{total} extracted",
    Code.CLI_EXTRACT_ROWS: "{ok} of {total} input(s) extracted",
    Code.EXTRACT_CANCELLED: "Extraction cancelled.",
    Code.EXTRACT_NOTHING_TO_EXPORT: "There are no extracted rows to export yet.",
    # the window: chat answers, copies, captures, reading speed (issue 19, window1)
    Code.CHAT_LAYOUT_ANSWER: (
        "This answer is the page's layout ({count} {count:plural:block|blocks}), not a reply: "
        "dots.ocr reads pages; for questions use a chat model such as Qwen3-VL."
    ),
    Code.COPIED_TO_CLIPBOARD: (
        "{chars} {chars:plural:character|characters} copied to the clipboard."
    ),
    Code.COPIED_WITH_TABLES: (
        "{chars} {chars:plural:character|characters} and {tables} "
        "{tables:plural:table|tables} copied to the clipboard."
    ),
    Code.CAPTURE_NOT_COPIED: (
        "The result looks doubtful: {why}. The clipboard was left as it was; "
        "the text is in the window."
    ),
    Code.DOUBT_LITTLE_TEXT: "almost no text was found",
    Code.DOUBT_ONE_COLUMN_TABLE: "the table found has a single column",
    Code.DOUBT_GARBLED: "most of the characters read are not letters or digits",
    Code.FONT_NO_CJK: (
        "No installed font shows Chinese, Japanese or Korean text: such characters "
        "appear as empty boxes."
    ),
    Code.FIX_INSTALL_CJK_FONT: (
        "Install a CJK font such as Noto Sans CJK (on Debian or Ubuntu: fonts-noto-cjk), "
        "then restart Dots Desktop."
    ),
    Code.READING_SPEED: "{engine}: {seconds} s per page",
    Code.READING_ETA: "about {minutes} min {seconds} s left for {pages} {pages:plural:page|pages}",
}
TEMPLATES.update(SETUP)

# Documents out: searchable PDF and Word (issue 17)
TEMPLATES.update(
    {
        Code.EXPORT_SOURCE_UNREADABLE: "Could not make {target}: the original {source} "
        "cannot be read ({detail}).",
        Code.FIX_EXPORT_SOURCE: "Put the original file back where it was read from, "
        "or export as Markdown, Word or text, which need only the results.",
        Code.DOCX_FORMULA_AS_LATEX: "(formula kept as LaTeX: Word cannot show it as an equation)",
        Code.DOCX_PICTURE_MISSING: "(picture not included: the original page could not be read)",
        Code.USAGE_DOCUMENT_OUT: "--format {fmt} writes a file per input: add --out DIR.",
    }
)

# Facts that were still English: models list, self-test (commands/)
TEMPLATES.update(
    {
        Code.CLI_ERROR: "error: {why}",
        Code.MODELS_GPU: "GPU {index}: {name}, {free_gib:.1f} of {total_gib:.1f} GiB free",
        Code.MODELS_NO_GPU: "No NVIDIA GPU found: profiles can still run on a remote server.",
        Code.MODELS_FIT_NO_GPU: "no GPU",
        Code.MODELS_FIT_NO: "does not fit: {why}",
        Code.MODELS_FITS_WITH: "fits with {changes}",
        Code.MODELS_FITS: "fits ({need_gib:.1f} GiB)",
        Code.MODELS_NO_CONTAINER: "No model container found (dots-desktop models start PROFILE).",
        Code.MODELS_NONE_RUNNING: "No model server is running.",
        Code.MODELS_NONE_RUNNING_START: (
            "No model server is running. Start one with: dots-desktop models start PROFILE"
        ),
        Code.MODELS_STOPPED: "Stopped {name}.",
        Code.MODELS_ENDED_IN_STATE: "the model did not become ready (state: {state})",
        Code.SELFTEST_STEP_FAILED: "{step}: {why}",
        Code.SELFTEST_STEP_CRASHED: "{step}: {kind}: {detail}",
        Code.SELFTEST_ICON_MISSING: "the app icon (resources/icons/dots-desktop.svg) did not load",
        Code.SELFTEST_WINDOW_NOT_SHOWN: "the main window was not shown within {seconds:.0f} s",
        Code.SELFTEST_MODULE_MISSING: "module {name} is missing ({detail})",
        Code.SELFTEST_NO_PROFILES: "no model profiles were found (model_profiles/*.toml)",
        Code.SELFTEST_LIBRARY_PATH: "LD_LIBRARY_PATH still points into the bundle ({bundle})",
        Code.SELFTEST_QT_RUSSIAN_MISSING: "Qt's qtbase_ru.qm is missing from {folder}",
        Code.SELFTEST_RUSSIAN_NOT_LOADED: "the Russian translation did not load",
        Code.SELFTEST_SORTING: "Russian sorting is wrong: {got}",
        Code.SELFTEST_ZONE_NAMES: "Russian time-zone names are missing: {zone!r}",
        Code.SELFTEST_SAMPLE_MISSING: "the bundled sample {path} is missing",
        Code.SELFTEST_PDF_SIZE: "a 200x100 pt page rendered at 144 DPI is {width}x{height}",
        Code.SELFTEST_NO_RESULT: "the engine ended without a result",
        Code.SELFTEST_PAGE_STATUS: "page status {status}: {why}",
        Code.SELFTEST_NO_TABLE: "no table was found on the sample invoice",
        Code.SELFTEST_TABLE_SHAPE: "expected a {rows}x{cols} table, got {shapes}",
        Code.SELFTEST_SPAN_NONE: "the 'Grand total' cell should span {colspan} columns, got none",
        Code.SELFTEST_SPAN_WRONG: "the 'Grand total' cell should span {colspan} columns, got colspan {got} at ({row}, {col})",
        Code.SELFTEST_TABLE_LACKS: "the table lacks {missing}; it reads: {text}",
        Code.SELFTEST_XLSX_MERGE: "the merged 'Grand total' cell is not A5:C5 (merged: {merged})",
        Code.SELFTEST_XLSX_CELLS: "the sheet lacks the table's cells (read {values})",
        Code.SELFTEST_HTML_RAW: "the HTML export shows the Markdown raw (markdown-it-py missing?)",
        Code.SELFTEST_HTML_NO_MATHML: "the HTML export has no MathML (latex2mathml or its symbols missing?)",
        Code.SELFTEST_PDF_NO_LAYER: "the PDF has no text layer",
        Code.SELFTEST_DOCX_TABLES: "the Word file has {got} tables, not {wanted}",
    }
)

# The model container in words: models status/start, doctor (commands/)
TEMPLATES.update(
    {
        Code.MODELS_STATE_ABSENT: "no container",
        Code.MODELS_STATE_PULLING: "downloading",
        Code.MODELS_STATE_STARTING: "starting",
        Code.MODELS_STATE_READY: "ready",
        Code.MODELS_STATE_STOPPING: "stopping",
        Code.MODELS_STATE_STOPPED: "stopped",
        Code.MODELS_STATE_FAILED: "failed",
        Code.MODELS_STATE_WITH_STAGE: "{state} ({stage})",
        Code.MODELS_PROGRESS_STAGE: "{state}: {stage}",
        Code.MODELS_PULL_PROGRESS: "downloading the image: {percent}% ({done_gb:.2f} of {total_gb:.2f} GB)",
        Code.MODELS_LINE_STATE: "State: {state}",
        Code.MODELS_LINE_CONTAINER_OURS: "Container: {name} (started by Dots Desktop)",
        Code.MODELS_LINE_CONTAINER_BY_HAND: "Container: {name} (started by hand)",
        Code.MODELS_LINE_MODEL: "Model: {model} (profile {profile})",
        Code.MODELS_LINE_ENDPOINT: "Endpoint: {endpoint}",
        Code.MODELS_LINE_API_KEY: "API key: {key}",
        Code.MODELS_LINE_MAX_LEN: "Max model length: {tokens} {tokens:plural:token|tokens}",
        Code.MODELS_LINE_PROBLEM: "Problem: {why}",
        Code.MODELS_LINE_NOTE: "Note: {note}",
        Code.DOC_MANAGED_ANSWERS: "The model's server answers at {endpoint} ({key}).",
        Code.DOC_MANAGED_ANSWERS_CONTEXT: "The model's server answers at {endpoint} ({key}); context length {context} tokens.",
        Code.DOC_MANAGED_NOT_ANSWERING: "The model's server at {endpoint} does not answer yet ({detail}).",
        Code.FIX_MANAGED_NOT_ANSWERING: "It may still be loading: dots-desktop models status shows its stage, dots-desktop models logs its log.",
    }
)
