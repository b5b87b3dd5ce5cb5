"""Readers, metadata, segmentation, de-duplication and the project store."""
