"""The programme: learning paths (files under `paths/`, loaded by `load_curriculum`) whose
modules point to skills and labs, enrolments and progress derived from what people did, and the
lab content itself (source notebooks + small data under `labs/`), loaded into the labs app by
`seed_demo` (DESIGN.md, "Layout")."""
