"""The demo organisation: every person named in the seed documents' examples."""
