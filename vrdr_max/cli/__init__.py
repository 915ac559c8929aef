"""The ``vrdr`` command line: ``vrdr <group> <verb>``."""
