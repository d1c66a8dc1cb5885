"""The hostile-input corpus and the fictional dataset it fills."""
