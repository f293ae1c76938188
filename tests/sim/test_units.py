"""The simulator's building blocks: flags, environment, image headers, resize, tokens."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.sim.helpers import image_bytes
from tests.vllm_sim.config import SimConfig, parse_config
from tests.vllm_sim.engine import Engine, SimStats
from tests.vllm_sim.imaging import ImageError, image_size, smart_resize, split_tokens, text_tokens


def test_model_can_be_given_positionally_or_by_flag() -> None:
    assert parse_config(["org/a"], environ={}).model == "org/a"
    assert parse_config(["--port", "9000", "org/b"], environ={}).model == "org/b"
    assert parse_config(["--model", "org/c", "--foo", "bar"], environ={}).model == "org/c"


def test_boolean_flags_take_no_value_like_vllm() -> None:
    config = parse_config(["--enforce-eager", "org/a", "--trust-remote-code"], environ={})
    assert (config.model, config.enforce_eager, config.trust_remote_code) == ("org/a", True, True)
    assert parse_config(["--no-enforce-eager"], environ={}).enforce_eager is False


def test_served_model_names_default_to_the_model() -> None:
    config = parse_config(["--model", "org/a"], environ={})
    assert config.served_names == ("org/a",)
    config = parse_config(["--model", "org/a", "--served-model-name", "x", "y"], environ={})
    assert config.served_names == ("x", "y")


def test_lengths_accept_human_sizes_like_vllm() -> None:
    assert parse_config(["--max-model-len", "8k"], environ={}).max_model_len == 8000
    assert parse_config(["--max-model-len", "8K"], environ={}).max_model_len == 8192
    assert parse_config([], environ={}).max_model_len == 32768


def test_sim_flags_come_from_the_environment_and_the_command_line_wins() -> None:
    env = {
        "VLLM_SIM_STARTUP_SECONDS": "3.5",
        "VLLM_SIM_FAULT": "loop,http-500",
        "VLLM_SIM_HOST": "0.0.0.0",
    }
    config = parse_config(["--sim-fault", "invalid-json"], environ=env)
    assert config.startup_seconds == 3.5
    assert config.faults == {"loop", "http-500", "invalid-json"}
    assert config.host == "0.0.0.0"
    assert parse_config(["--sim-startup-seconds", "1"], environ=env).startup_seconds == 1.0
    assert parse_config([], environ={}).host == "127.0.0.1"


def test_an_unknown_fault_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown simulator fault"):
        parse_config(["--sim-fault", "gremlins"], environ={})


def test_unknown_flags_are_collected_not_fatal() -> None:
    config = parse_config(
        ["--model", "m", "--swap-space", "4", "--enable-prefix-caching"], environ={}
    )
    assert "--enable-prefix-caching" in config.unknown_args


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_image_size_reads_the_header_of_common_formats(fmt: str) -> None:
    assert image_size(image_bytes(123, 45, fmt)) == (123, 45)


def test_image_size_reads_progressive_jpeg_and_lossless_webp() -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "red").save(out, format="JPEG", progressive=True)
    assert image_size(out.getvalue()) == (300, 200)
    out = io.BytesIO()
    Image.new("RGBA", (77, 66), "red").save(out, format="WEBP", lossless=True)
    assert image_size(out.getvalue()) == (77, 66)


def test_image_size_rejects_bytes_that_are_no_image() -> None:
    with pytest.raises(ImageError, match="cannot identify image file"):
        image_size(b"%PDF-1.7 not an image")


@pytest.mark.parametrize(
    ("height", "width", "expected"),
    [
        (2250, 1700, (2240, 1708)),  # the upstream example
        (10, 10, (56, 56)),  # below min_pixels: scaled up
        (10000, 8000, (3752, 2996)),  # above max_pixels: scaled down under the cap
    ],
)
def test_smart_resize_matches_dots_ocr(height: int, width: int, expected: tuple[int, int]) -> None:
    result = smart_resize(height, width)
    assert result == expected
    assert result[0] % 28 == 0 and result[1] % 28 == 0
    assert result[0] * result[1] <= 11289600


def test_smart_resize_rejects_extreme_aspect_ratios() -> None:
    with pytest.raises(ImageError, match="aspect ratio"):
        smart_resize(10, 3000)


def test_tokens_are_four_character_pieces() -> None:
    assert text_tokens("") == 0
    assert text_tokens("abcd") == 1
    assert text_tokens("abcde") == 2
    assert split_tokens("abcdefghij") == ["abcd", "efgh", "ij"]


def test_a_batch_limit_shares_decode_speed_between_running_sequences() -> None:
    stats = SimStats()
    engine = Engine(SimConfig(decode_tps=2000, max_batch_tps=1000), stats, 10_000)
    stats.running = 1
    assert engine._decode_rate() == 1000
    stats.running = 4
    assert engine._decode_rate() == 250
    unlimited = Engine(SimConfig(decode_tps=2000), SimStats(), 10_000)
    assert unlimited._decode_rate() == 2000
