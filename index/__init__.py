"""Sources into passages, and the search engine behind them (the only Whoosh user)."""
