"""Index versions on disk and the build that publishes them."""
