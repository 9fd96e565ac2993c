"""trueup: keep running systems true to what git says they should be."""

__version__ = "0.1.0"
