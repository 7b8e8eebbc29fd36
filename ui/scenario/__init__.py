"""The Scenario page: levers and presets, the verdict, results, charts and downloads."""
