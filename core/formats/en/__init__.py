"""English formats (the admin's language): ISO-style dates and 24-hour times."""
