"""How many notebooks one person may send for grading in a while (settings:
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["submissions"]`, env `SUBMISSION_RATE_LIMIT`).

Grading costs a worker's time; a script (or a stuck button) sending hundreds of notebooks would
make everyone else wait. The page and the API count together: one limit per person.
"""

from rest_framework.throttling import UserRateThrottle


class SubmissionThrottle(UserRateThrottle):
    scope = "submissions"

    def allow_request(self, request, view) -> bool:
        if request.method not in ("POST", "PUT", "PATCH"):
            return True  # reading one's submissions costs nothing
        return super().allow_request(request, view)

    def refusal(self) -> str:
        """What the person reads when they have sent too many."""
        period = PERIODS.get(self.duration, f"{self.duration} seconds")
        wait = self.wait()
        seconds = max(1, round(wait)) if wait is not None else self.duration
        return (
            f"You have sent {self.num_requests} notebooks for grading in the last {period}, "
            f"the most at one time. Wait {seconds} s and send it again (this one was not stored)."
        )


PERIODS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}  # DRF's s, m, h, d
