"""State and settings: preferences, the session, results kept for a document."""
