"""propdesk: the service desk of a residential property-management office."""
