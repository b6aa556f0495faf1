"""oneservice.catalog."""
