"""Mentor pairings and matching, sessions, feedback notes and requests, the questions board and
the learning-time log (DESIGN.md, "Layout"). Arrives with the [Mentoring] issue."""
