"""Unseen's pure-Python core: no Django, nothing else of ours (enforced by import-linter).

It works on plain data (strings, dataclasses, numpy, pandas) so that statisticians can use it on a
CSV without a database.
"""
