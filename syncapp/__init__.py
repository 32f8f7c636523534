"""syncapp: a self-hosted, Marketo-style Salesforce sync, browsed and driven from the Django admin."""
