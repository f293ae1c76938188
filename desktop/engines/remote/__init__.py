"""The OpenAI-compatible server engine: requests, answers, recovery from loops."""
