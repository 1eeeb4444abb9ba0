"""The contract suite that judges any implementation at a base URL (filled in by its issue)."""
