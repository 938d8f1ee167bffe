// The regrade page follows the batch: it polls the progress endpoint and redraws the progress
// bar and its words; once every submission is done it reloads, to list the last results.
(function () {
  "use strict";
  const words = document.getElementById("regrade-words");
  const bar = document.getElementById("regrade-progress");
  if (!words || !bar || words.dataset.finished === "true") return;

  async function poll() {
    try {
      const response = await fetch(words.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        bar.value = data.done + data.failed;
        bar.textContent = data.percent + "%";
        words.textContent = data.words;
        if (data.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
