"""Web captures as evidence: a page recorded by a real browser, archived, hashed and signed."""
