"""One-off experiments whose results decided a choice (docs/deployment.md, README.md); kept so
that the measurement can be repeated. Not part of `make bench`."""
