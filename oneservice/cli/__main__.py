"""``python -m oneservice.cli``: the same as the ``oneservice`` command."""

from . import main

main()
