"""oneservice.domain."""
