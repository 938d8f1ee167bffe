// While an idea is typed, the similar ideas and past projects (POST /api/ideas/similar/).
// A file of its own, not an inline script: the Content Security Policy allows only these.
(function () {
  const form = document.getElementById("idea-form");
  const box = document.getElementById("similar");
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  let timer = null;
  function field(name) { return (form.querySelector("[name=" + name + "]") || {}).value || ""; }
  function show(found) {
    box.textContent = "";
    if (!found.length) { const p = document.createElement("p"); p.className = "muted"; p.textContent = "Nothing similar yet."; box.append(p); return; }
    const list = document.createElement("ul"); list.className = "stack"; list.dataset.similar = "";
    for (const item of found) {
      const li = document.createElement("li"); const a = document.createElement("a");
      a.href = item.url; a.textContent = item.title;
      const badge = document.createElement("span"); badge.className = "badge" + (item.score >= 0.35 ? " badge--warning" : "");
      badge.textContent = item.kind + " · similarity " + item.score.toFixed(2);
      li.append(a, " ", badge); list.append(li);
    }
    box.append(list);
  }
  function check() {
    const body = {title: field("title"), problem: field("problem"), approach: field("approach")};
    if ((body.title + body.problem + body.approach).trim().length < 8) return;
    fetch(form.dataset.similarUrl, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token}, body: JSON.stringify(body)})
      .then(function (r) { return r.ok ? r.json() : []; }).then(show).catch(function () {});
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
})();
