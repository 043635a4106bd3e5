"""Thin Falcon resources: validate input, call ``index``, shape the response."""
