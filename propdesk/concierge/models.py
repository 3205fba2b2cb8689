"""The office's convenience services: the service cart (CS-1), concierge requests (CS-2) and
the community's quarterly activities (CS-3)."""
