"""vLLM /metrics: KV cache use, queue lengths and tokens/s from counter deltas."""

from __future__ import annotations

from desktop.runtime.metrics import MetricsScraper, metrics_from_text, parse_prometheus

NEW = """# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="dots.ocr"} 3.0
vllm:num_requests_waiting{engine="0",model_name="dots.ocr"} 5.0
vllm:kv_cache_usage_perc{engine="0",model_name="dots.ocr"} 0.42
vllm:prompt_tokens_total{engine="0",model_name="dots.ocr"} 1000.0
vllm:generation_tokens_total{engine="0",model_name="dots.ocr"} 500.0
vllm:num_preemptions_total{engine="0",model_name="dots.ocr"} 0.0
vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="dots.ocr"} 2.0
"""
OLD = 'vllm:gpu_cache_usage_perc{model_name="m"} 0.9\nvllm:num_requests_running 1\n'


def test_gauges_and_counters_are_read_from_labelled_lines() -> None:
    snap = metrics_from_text(NEW, 10.0)
    assert snap.running == 3 and snap.waiting == 5
    assert snap.kv_cache_usage == 0.42
    assert snap.generation_tokens_total == 500
    assert snap.generation_tokens_per_s is None  # no previous scrape yet


def test_the_old_kv_metric_name_is_accepted() -> None:
    assert metrics_from_text(OLD, 0.0).kv_cache_usage == 0.9


def test_tokens_per_second_come_from_the_counter_delta() -> None:
    first = metrics_from_text(NEW, 10.0)
    later = NEW.replace("} 500.0", "} 900.0").replace("} 1000.0", "} 3000.0")
    second = metrics_from_text(later, 12.0, first)
    assert second.generation_tokens_per_s == 200.0
    assert second.prompt_tokens_per_s == 1000.0


def test_a_restarted_server_gives_no_rate_instead_of_a_negative_one() -> None:
    first = metrics_from_text(NEW, 10.0)
    second = metrics_from_text(NEW.replace("} 500.0", "} 5.0"), 11.0, first)
    assert second.generation_tokens_per_s is None


def test_comments_and_garbage_are_skipped() -> None:
    assert parse_prometheus('# x\n\nnot a metric line at all\nfoo 1\nbar{a="b"} NaN\n')["foo"] == 1


async def test_scraper_reads_a_simulated_server(vllm_sim) -> None:  # type: ignore[no-untyped-def]
    sim = vllm_sim()
    scraper = MetricsScraper(sim.base_url + "/v1")
    try:
        snap = await scraper.scrape()
        assert snap is not None and snap.running == 0
        assert snap.kv_cache_usage is not None
    finally:
        await scraper.aclose()


async def test_scraper_says_none_when_nothing_listens() -> None:
    scraper = MetricsScraper("http://127.0.0.1:9")
    try:
        assert await scraper.scrape() is None
    finally:
        await scraper.aclose()
