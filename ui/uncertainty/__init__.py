"""The Osäkerhet page: Monte Carlo fan chart, probability of meeting the target, tornado chart."""
