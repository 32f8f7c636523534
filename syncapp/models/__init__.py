"""syncapp models: the mirror of the Salesforce org, the activity log and the sync state."""
