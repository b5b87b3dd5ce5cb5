"""stancemap: coded perception datasets from qualitative material."""

__version__ = "0.1.0"
