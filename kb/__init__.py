"""kb: a knowledge base of behavioral and mechanistic definitions, their evidence, and audits.

The version lives here (packaging reads it), so `kb --version` needs no package metadata scan.
"""

__version__ = "0.1.0"
