"""The published docs site: the API reference and the lifecycle page, built from the spec."""
