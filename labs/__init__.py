"""The notebook engine: lab format, versions and releases, submissions, the sandboxed executor and
grading tasks (DESIGN.md, "Layout"). Arrives with the [Labs] issue."""
