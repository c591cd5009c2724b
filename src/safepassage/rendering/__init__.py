"""Documents rendered from sealed data on demand: decision letters (HTML and PDF), PDF helpers for reports."""
