"""The Falcon application, its citations and its command line."""
