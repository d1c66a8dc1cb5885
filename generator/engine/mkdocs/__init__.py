"""The MkDocs engine: the only package that imports MkDocs or Material (the plugin and the runner)."""
