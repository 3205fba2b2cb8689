"""Writes of the convenience services: one module per part (``activities`` for CS-3). Views,
API, commands and the demo seed import the functions from their module."""
