"""What we ask Docker for, and how a hand-started vLLM container is recognised."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

from desktop.runtime import containers as ct
from desktop.runtime.profiles import load_profiles


def _kwargs(**changes: Any) -> dict[str, Any]:
    profile = dataclasses.replace(load_profiles()["dots.ocr"], **changes)
    return ct.create_kwargs(
        profile, name="dots-desktop-dots.ocr", port=8000, api_key="secret", labels={"x": "1"}
    )


def test_the_port_is_published_on_loopback_only_and_the_key_passed_to_vllm() -> None:
    kw = _kwargs()
    assert kw["ports"] == {"8000/tcp": ("127.0.0.1", 8000)}
    assert kw["command"][kw["command"].index("--api-key") + 1] == "secret"
    assert kw["init"] is True


def test_labels_mark_the_container_as_ours_with_its_profile() -> None:
    labels = _kwargs()["labels"]
    assert labels[ct.MANAGED_LABEL] == "1"
    assert labels[ct.PROFILE_LABEL] == "dots.ocr"
    assert labels["x"] == "1"


def test_gpu_request_shm_and_hf_cache_volume() -> None:
    kw = _kwargs()
    [req] = kw["device_requests"]
    assert req["Count"] == -1 and req["Capabilities"] == [["gpu"]]
    assert kw["shm_size"] == "8g"
    assert kw["volumes"] == {ct.DEFAULT_HF_VOLUME: {"bind": ct.HF_CACHE_IN_CONTAINER, "mode": "rw"}}


def test_ipc_host_replaces_shm_and_gpu_false_drops_the_device_request() -> None:
    kw = _kwargs(ipc_host=True, gpu=False)
    assert kw["ipc_mode"] == "host" and "shm_size" not in kw
    assert "device_requests" not in kw


def test_a_busy_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        other = ct.choose_port(port)
        assert other != port and ct.port_is_free(other)


def test_a_hand_started_vllm_container_is_recognised_by_its_command() -> None:
    attrs = {
        "Name": "/dots-ocr-vllm-optimized",
        "Config": {
            "Image": "vllm/vllm-openai:v0.11.0",
            "Entrypoint": ["vllm", "serve"],
            "Cmd": ["rednote-hilab/dots.ocr", "--api-key=abc", "--port", "8000"],
            "Env": ["PATH=/usr/bin"],
        },
        "NetworkSettings": {"Ports": {"8000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8000"}]}},
    }
    assert ct.looks_like_vllm(attrs)
    assert ct.api_key_of(attrs) == "abc"
    assert ct.published_port(attrs) == 8000


def test_a_plain_web_server_is_not_taken_for_vllm() -> None:
    attrs = {
        "Name": "/nginx",
        "Config": {"Image": "nginx:1", "Cmd": ["nginx", "-g", "daemon off;"]},
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8000"}]}},
    }
    assert not ct.looks_like_vllm(attrs)
    assert ct.published_ports(attrs) == {8000}


def test_keyring_trouble_means_no_token(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import keyring

    monkeypatch.delenv("HF_TOKEN", raising=False)

    def broken(*_: object) -> str:
        raise RuntimeError("locked")

    monkeypatch.setattr(keyring, "get_password", broken)
    assert ct.hf_token() is None
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    assert ct.hf_token() == "hf_x"


def test_a_restart_policy_is_passed_only_when_asked_for() -> None:
    profile = load_profiles()["dots.ocr"]
    kw = ct.create_kwargs(
        profile, name="n", port=1, api_key="k", labels={}, restart_policy="unless-stopped"
    )
    assert kw["restart_policy"] == {"Name": "unless-stopped"}
    assert "restart_policy" not in _kwargs()


def test_an_absolute_hf_cache_path_is_bind_mounted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    profile = load_profiles()["dots.ocr"]
    kw = ct.create_kwargs(profile, name="n", port=1, api_key="k", labels={}, hf_cache=str(tmp_path))
    assert kw["volumes"] == {str(tmp_path): {"bind": ct.HF_CACHE_IN_CONTAINER, "mode": "rw"}}
