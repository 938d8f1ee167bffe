"""Events and phases, ideas and votes, teams, submissions, judging (DESIGN.md, "Layout")."""
