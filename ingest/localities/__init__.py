"""Locality names as agencies write them → `locality_id`s of the dimension (see `resolver`)."""

from ingest.localities.normalize import fold, is_total_label
from ingest.localities.resolver import LocalityResolutionError, LocalityResolver, default_resolver

__all__ = ["LocalityResolutionError", "LocalityResolver", "default_resolver", "fold", "is_total_label"]
