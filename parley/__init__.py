"""Parley: real-time team chat on Django and Channels."""
