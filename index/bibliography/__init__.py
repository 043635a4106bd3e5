"""Bibliographic data: BibTeX in and out, citation keys, LaTeX text."""
