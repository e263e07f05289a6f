"""The statements domain."""
