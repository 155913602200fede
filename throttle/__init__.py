"""Limits per user and per address, shared by every server process: post rates, the replay
budget, and how many sockets one user or address may hold (docs/configuration.md, "Limits").

services.py holds the rules the domain and the transports call; backends.py the counters,
chosen by the PARLEY_LIMITS setting (a dotted path, like CHANNEL_LAYERS): in memory for the
embedded mode, in Redis for several processes.
"""
