"""Unseen: evidence, linkage and estimation for investigating state-imposed forced labour."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unseen")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"
