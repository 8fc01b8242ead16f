"""HTTP edge of sishuang: translates requests into commands and queries."""
