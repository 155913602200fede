"""Settings are one `base` plus the differences: `embedded` (one machine, no services, the
default), `production` (PostgreSQL + Redis, from the environment) and `test`."""
