"""Flow actions: Marketo's Salesforce flow steps, run now for the people a marketer picked (see registry)."""
