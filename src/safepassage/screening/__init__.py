"""Name screening: match persons against watchlists under any spelling of their name.

Pure library (no web, no database).  Public API::

    from safepassage.screening import compare, MATCH_THRESHOLD, REVIEW_THRESHOLD, Screener
"""

from safepassage.screening.match import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    Explanation,
    MatchResult,
    compare,
)

__all__ = ["MATCH_THRESHOLD", "REVIEW_THRESHOLD", "Explanation", "MatchResult", "compare"]
