"""Tracks and modules pointing to skills and labs, and the lab content itself, loaded into labs/
(DESIGN.md, "Layout")."""
