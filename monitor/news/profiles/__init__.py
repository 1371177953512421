"""Language profiles for the news extractor: the words and patterns of one language each."""
