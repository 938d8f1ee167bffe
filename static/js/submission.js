// The submission page follows grading live: it polls the status endpoint and redraws the banner,
// the status, the score, the verdict, the attempts and the results table in place (no reload),
// then shows the graded notebook. The words come from the endpoint, as the page's first render.
(function () {
  "use strict";
  const section = document.getElementById("submission");
  if (!section || section.dataset.finished === "true") return;
  const banner = document.getElementById("submission-banner");
  const status = document.getElementById("submission-status");
  const score = document.getElementById("submission-score");
  const verdict = document.getElementById("submission-verdict");
  const attempts = document.getElementById("submission-attempts");
  const results = document.querySelector("#results tbody");
  const points = (n) => (Math.round(n * 100) / 100).toString();

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function badge(className, text) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  function badgeCell(r) {
    const td = document.createElement("td");
    if (r.manual) {
      td.appendChild(r.pending ? badge("badge", "waiting for a grader") : badge("badge", "graded by hand"));
    } else {
      td.appendChild(r.passed ? badge("badge badge--success", "passed") : badge("badge badge--danger", "not passed"));
      if (r.adjusted) td.append(" ", badge("badge", "points changed"));
    }
    return td;
  }

  function drawResults(rows) {
    results.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      const title = cell(r.title);
      if (r.hidden) title.append(" ", badge("badge", "hidden"));
      tr.append(title, badgeCell(r), cell(points(r.points) + " / " + points(r.max_points)), cell(r.message));
      return tr;
    }));
  }

  function showFeedback() {
    const template = document.getElementById("feedback-template");
    if (template) template.replaceWith(template.content.cloneNode(true));
  }

  function draw(data) {
    // The banner is redrawn on every answer, so that it always says what the status says.
    banner.textContent = data.banner;
    banner.className = "alert status-banner alert--" + data.banner_tone;
    banner.dataset.status = data.status;
    status.textContent = data.status_label;
    status.dataset.status = data.status;
    if (data.score !== null) score.textContent = points(data.score) + " / " + points(data.max_score) + " points";
    verdict.firstElementChild.textContent = data.verdict;
    verdict.dataset.passed = data.passed === null ? "" : String(data.passed);
    verdict.hidden = !data.verdict;
    attempts.textContent = data.attempts_text;
    if (data.finished) {
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
