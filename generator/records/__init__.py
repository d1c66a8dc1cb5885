"""Records: the kinds registry, the models, reading one YAML file safely, loading a data folder, Problems."""
