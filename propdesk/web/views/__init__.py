"""The staff console: server-rendered pages with htmx, one module per screen."""
