"""``monitor demo``: an offline replay of a real run of officer changes."""
