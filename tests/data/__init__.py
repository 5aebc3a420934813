"""Test vectors and corpora kept as data (JSON files, and Python tables where cases hold code)."""
