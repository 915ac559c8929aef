"""Deployment: the 3ds Max application package, its install, and the pinned dependencies.

``bundle`` builds the package, ``install`` copies it into ApplicationPlugins, ``uvlock`` reads the
versions and hashes the project's ``uv.lock`` pins.
"""
