"""Designation lists as their authorities publish them, and which of our records they name."""
