"""aezip trainer: model, data, training loop, exporter (see train/README.md)."""
