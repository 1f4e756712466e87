"""Disclosure control for exports: generalisation, keyed pseudonyms, k-anonymity. Pure Python."""
