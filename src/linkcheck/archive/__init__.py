"""Archiving: snapshots in the Wayback Machine for every cited source, and the manifest."""
