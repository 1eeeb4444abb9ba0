"""The published docs site: the API reference and the lifecycle page, built from the spec."""

from docs_site.build import DocsError, build

__all__ = ["DocsError", "build"]
