"""Dots Desktop: local document OCR with dots.ocr, a vLLM container and a Qt window."""

__version__ = "0.1.0"
