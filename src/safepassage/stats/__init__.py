"""Pure statistics logic (no database, no web): people units, percentiles, small-cell suppression."""
