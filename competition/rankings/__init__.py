"""Rankings: aggregation of submitted score sheets, juror calibration, tie-breaks and rank stability.

Pure modules: `ranking.py` (methods, tie cascade, bootstrap intervals, agreement) and `calibration.py` (additive
juror-effect model). `cli.py` holds the `flask rankings rank` command that runs them on a JSON file, no database.
"""
