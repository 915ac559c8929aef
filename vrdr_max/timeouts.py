"""The probe's timeout bounds, apart from the probe (the studio config checks them at load)."""

DEFAULT_TIMEOUT = 1.0
"""Seconds one endpoint gets for name lookup and TCP handshake together."""

MAX_TIMEOUT = 120.0
"""Longest per-endpoint timeout accepted; longer waits only hide a dead host."""
