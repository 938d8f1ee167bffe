// The submission page follows grading live: it polls the status endpoint and redraws the status,
// the score and the results table in place (no reload), then shows the graded notebook.
(function () {
  "use strict";
  const section = document.getElementById("submission");
  if (!section || section.dataset.finished === "true") return;
  const badge = document.getElementById("submission-status");
  const score = document.getElementById("submission-score");
  const waiting = document.getElementById("submission-waiting");
  const results = document.querySelector("#results tbody");
  const labels = { queued: "Queued", running: "Running", graded: "Graded", needs_review: "Needs review", failed: "Failed" };
  const points = (n) => (Math.round(n * 100) / 100).toString();

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function badgeCell(passed) {
    const td = document.createElement("td");
    const span = document.createElement("span");
    span.className = passed ? "badge badge--success" : "badge badge--danger";
    span.textContent = passed ? "passed" : "failed";
    td.appendChild(span);
    return td;
  }

  function drawResults(rows) {
    results.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      const title = cell(r.title + (r.hidden ? " (hidden)" : ""));
      tr.append(title, badgeCell(r.passed), cell(points(r.points) + " / " + points(r.max_points)), cell(r.message));
      return tr;
    }));
  }

  function showFeedback() {
    const template = document.getElementById("feedback-template");
    if (template) template.replaceWith(template.content.cloneNode(true));
  }

  function draw(data) {
    badge.textContent = labels[data.status] || data.status;
    badge.dataset.status = data.status;
    if (data.score !== null) score.textContent = points(data.score) + " / " + points(data.max_score) + " points";
    if (data.finished) {
      waiting.hidden = true;
      drawResults(data.results);
      if (data.flags.includes("tamper_suspected")) {
        document.getElementById("tamper-note").hidden = false;
      }
      showFeedback();
    }
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        draw(data);
        if (data.finished) return;
      }
    } catch (error) {
      // A network hiccup: try again on the next tick.
    }
    window.setTimeout(poll, 700);
  }
  window.setTimeout(poll, 300);
})();
