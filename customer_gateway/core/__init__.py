"""What every request shares: the closed set of error codes, the per-request context, global ids."""
