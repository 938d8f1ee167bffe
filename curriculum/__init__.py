"""The programme: the lab content itself (source notebooks + small data under `labs/`), loaded
into the labs app by `seed_demo` (DESIGN.md, "Layout"). Tracks and modules come later."""
