"""Juror profiles, conflicts of interest, assignments of entries to jurors (and, later, score sheets)."""
