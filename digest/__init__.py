"""digest: an honest, attributable news briefing from your feeds."""

__version__ = "0.1.0"
