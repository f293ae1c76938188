"""Batches: the page reader/pipeline, its events, the SQLite batch store and history."""
