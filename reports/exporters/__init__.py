"""Official-form exporters. Importing this package registers every exporter."""

from . import annex1, annex3, annex4, annex5, dashboard, judging, package, summary  # noqa: F401  (registration side effects)
from .base import REGISTRY, Exporter, RenderedFile, exporter_for

__all__ = ["REGISTRY", "Exporter", "RenderedFile", "exporter_for"]
