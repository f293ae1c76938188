"""Network: the lean HTTP stream, SSE decoding, the stall watchdog."""
