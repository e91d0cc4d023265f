"""What a run is about, independent of how it is fetched or shown: identifiers, answers (results and errors), models
of batch tasks and the shape rules for keys. Imports nothing else of tui_app but the leaf modules (problems, secret),
so the HTTP client (vias/) below the core and everything above can share it."""
