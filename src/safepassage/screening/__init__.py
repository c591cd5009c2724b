"""Name screening: match persons against watchlists under any spelling of their name.

Pure library (no web, no database).  Public API::

    from safepassage.screening import compare, MATCH_THRESHOLD, REVIEW_THRESHOLD, Screener

    compare(query_dict, candidate_dict).score / .explanation
    Screener.build(entities).screen(query_dict, top=5)
"""

from safepassage.screening.index import Hit, Screener
from safepassage.screening.match import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    Explanation,
    MatchResult,
    compare,
)
from safepassage.screening.readers import Issue, MalformedLineError, read_csv, read_entities, read_ftm_jsonl

__all__ = [
    "MATCH_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Explanation",
    "Hit",
    "Issue",
    "MalformedLineError",
    "MatchResult",
    "Screener",
    "compare",
    "read_csv",
    "read_entities",
    "read_ftm_jsonl",
]
