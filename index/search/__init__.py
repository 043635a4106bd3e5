"""Searching passages: the engine protocols, highlighting and quote lookup."""
