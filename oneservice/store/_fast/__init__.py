"""The store's fast path (private): what makes an action a large fraction of what the database
alone could do. Nothing outside :mod:`oneservice.store` imports from here; see README.md for the
SQLAlchemy internals it relies on and the tests that pin them."""
