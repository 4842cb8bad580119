"""Chat-style flow building: edit operations, applying them, diffs, versions and chat nodes."""
