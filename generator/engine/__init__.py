"""The engine: build and serve runner (lock, atomic swap), preview status, background work; no MkDocs here."""
