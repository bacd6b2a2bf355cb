"""Measuring the product on labelled data."""
