"""Date formats for the admin: one unambiguous format on every page (FORMAT_MODULE_PATH)."""
