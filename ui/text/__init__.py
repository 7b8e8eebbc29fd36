"""Words and numbers: translation catalogs (``locales/``), number formats, the plain-language summary."""
