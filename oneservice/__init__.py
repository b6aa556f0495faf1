"""oneservice — make China's "at most one trip" (最多跑一次) reform executable and checkable."""
