"""Official-form exporters. Importing this package registers every exporter."""

from . import (  # noqa: F401  (registration side effects)
    annex1,
    annex3,
    annex4,
    annex5,
    certificates,
    dashboard,
    judging,
    package,
    summary,
)
from .base import REGISTRY, Exporter, RenderedFile, exporter_for

__all__ = ["REGISTRY", "Exporter", "RenderedFile", "exporter_for"]
