"""The Textual console. Knows nothing of HTTP: it drives the engine, journal and credentials."""
