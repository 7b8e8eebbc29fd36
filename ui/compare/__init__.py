"""The Jämför page: up to four scenarios side by side (presets, links, files, workshop groups)."""
