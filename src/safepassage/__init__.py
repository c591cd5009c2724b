"""Safe Passage: asylum intake, case management and exclusion screening."""

__version__ = "0.1.0"
