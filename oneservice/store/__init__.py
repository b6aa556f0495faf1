"""oneservice.store."""
