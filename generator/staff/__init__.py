"""Staff tools that write records: scaffold, import and name matching, diff and git hooks, demo, schema."""
