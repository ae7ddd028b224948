"""netready: how ready are your domains and networks for an encrypted, IPv6-capable Internet."""

__version__ = "0.1.0"
