"""Template tags for the syncapp admin pages."""
