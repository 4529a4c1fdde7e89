"""Samtrygg: software for EST, Effektiv samordning för trygghet."""

__version__ = "0.1.0"
