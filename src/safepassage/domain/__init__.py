"""Pure domain rules: pathways, persons, the case state machine, receipts (no web or database imports)."""
