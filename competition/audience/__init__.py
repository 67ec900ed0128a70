"""The audience award [Publikumspreis]: a public gallery, double opt-in votes, a monitor for manipulation and a
frozen, hash-verified result (issue 20)."""
