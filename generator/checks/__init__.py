"""Checks: rules across records, privacy, Markdown fields and content pages."""
