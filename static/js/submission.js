// Polls the submission's status until grading is done, then reloads once to show the feedback.
(function () {
  "use strict";
  const section = document.getElementById("submission");
  if (!section || section.dataset.finished === "true") return;
  const badge = document.getElementById("submission-status");
  const labels = { queued: "Queued", running: "Running", graded: "Graded", needs_review: "Needs review", failed: "Failed" };

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        badge.textContent = labels[data.status] || data.status;
        badge.dataset.status = data.status;
        if (data.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A network hiccup: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
