"""The channel kit shared by channel services (see README.md)."""
