"""Files into sources: readers by format, cleaning, metadata and chunking into passages."""
