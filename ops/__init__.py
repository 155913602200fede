"""Operations: health and readiness probes, Prometheus metrics, structured logs, backups and the
HTTP server's guards. Nothing here holds a chat rule; it watches and serves the rest."""
