// oneservice web front: progressive enhancement only — every page works without this script.
// 1. [data-confirm] buttons ask before they submit.
// 2. [data-print] buttons print the page.
// 3. form.live: on every change the form is sent to its data-check URL and the answer
//    (server-rendered HTML of the completeness and the conditions' messages) replaces the
//    element named by data-target.
"use strict";
document.addEventListener("click", (event) => {
  const asking = event.target.closest("[data-confirm]");
  if (asking && !window.confirm(asking.dataset.confirm)) event.preventDefault();
  if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
});
function checkLive(form) {
  const target = document.getElementById(form.dataset.target);
  if (!target) return;
  target.setAttribute("aria-busy", "true");
  fetch(form.dataset.check, { method: "POST", body: new FormData(form), credentials: "same-origin",
                              headers: { "X-CSRF-Token": form.querySelector("[name=csrf]").value } })
    .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
    .then((html) => { target.innerHTML = html; })
    .catch(() => {})
    .finally(() => target.removeAttribute("aria-busy"));
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("form.live");
  if (form) checkLive(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.live").forEach(checkLive);
});
