"""Delivery of published editions (email)."""
