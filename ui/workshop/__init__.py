"""The Workshop page: facilitator, participant phones, projector board, results and exports.

Storage is :mod:`persistence`; only :mod:`ui.workshop.db` opens it.
"""
