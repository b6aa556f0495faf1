"""Every scenario under features/ (English and Chinese), run by the oneservice pytest plugin."""

from pytest_bdd import scenarios

scenarios("../../features")
