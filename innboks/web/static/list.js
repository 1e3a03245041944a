// Innboks: the inquiry list, live. Events from /api/events fetch the rows again (at most every 0.3 s)
// and morph them into place, keeping focus, selection and scroll; new inquiries are announced politely.
// Bulk actions act on the selected rows.
"use strict";

(() => {
  const encode = (id) => id.split("/").map(encodeURIComponent).join("/");
  let pending = null;
  let running = false;

  function selected() {
    return [...document.querySelectorAll('#rows input[name="selected"]:checked')].map((box) => box.value);
  }

  function updateBulk() {
    const ids = selected();
    const count = document.getElementById("bulk-count");
    if (count) count.textContent = ids.length === 0 ? "Ingen valgt" : ids.length === 1 ? "1 valgt" : `${ids.length} valgt`;
    document.querySelectorAll("[data-bulk]").forEach((button) => { button.disabled = ids.length === 0; });
    const bar = document.getElementById("bulk");
    if (bar) bar.toggleAttribute("data-empty", ids.length === 0);
    document.querySelectorAll("#rows tr[data-inquiry]").forEach((row) => {
      const box = row.querySelector('input[name="selected"]');
      row.classList.toggle("selected", Boolean(box && box.checked));
    });
  }

  async function refresh() {
    if (running) { pending = pending || setTimeout(() => { pending = null; refresh(); }, 300); return; }
    running = true;
    try {
      const params = new URLSearchParams(window.location.search);
      params.set("fragment", "rows");
      const kept = new Set(selected());
      const response = await fetch(`/?${params}`, {credentials: "same-origin"});
      if (response.ok && (response.headers.get("content-type") || "").startsWith("text/html")) {
        const rows = document.getElementById("rows");
        const {added} = window.InnboksMorph(rows, await response.text());
        rows.querySelectorAll('input[name="selected"]').forEach((box) => { if (kept.has(box.value)) box.checked = true; });
        updateBulk();
        const fresh = added.filter((row) => row.dataset.inquiry);
        if (fresh.length) {
          const escalated = fresh.filter((row) => row.dataset.escalate === "true").length;
          const words = fresh.length === 1 ? "1 ny henvendelse" : `${fresh.length} nye henvendelser`;
          window.InnboksAnnounce(escalated ? `${words}, ${escalated} eskalert` : words);
        }
      }
      params.set("fragment", "approvals");
      const approvals = await fetch(`/?${params}`, {credentials: "same-origin"});
      const current = document.getElementById("approvals");
      if (approvals.ok && current) {
        const holder = document.createElement("div");
        holder.innerHTML = await approvals.text();
        const next = holder.querySelector("#approvals");
        if (next && next.outerHTML !== current.outerHTML && !current.contains(document.activeElement)) current.replaceWith(next);
      }
    } catch (error) { /* offline for a moment: the next event tries again */ }
    running = false;
  }

  function schedule() {
    if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 300);
  }

  async function bulk(action) {
    const ids = selected();
    if (!ids.length) return;
    const body = {action, inquiry_ids: ids};
    if (action === "assign") body.assignee = document.getElementById("bulk").dataset.user;
    if (action === "close") body.reason = document.getElementById("bulk-close-reason").value;
    if (action === "hide") {
      body.reason = document.getElementById("bulk-hide-reason").value;
      if (!window.confirm(`Skjule ${ids.length === 1 ? "meldingen" : `${ids.length} meldinger`} på plattformen?`)) return;
    }
    try {
      const answer = await post("/api/inquiries/bulk", body);
      const verb = {assign: "tildelt deg", close: "lukket", hide: "bestilt skjult"}[action];
      toast(answer.refused ? `${answer.done} ${verb}, ${answer.refused} ikke (åpne dem for å se hvorfor)`
        : `${answer.done} ${verb}`);
      document.querySelectorAll('#rows input[name="selected"]:checked').forEach((box) => { box.checked = false; });
      updateBulk();
      schedule();
    } catch (error) { toast(`Ikke gjort: ${error.message}`); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.getElementById("rows")) return;
    const more = document.getElementById("more-filters");
    if (more && window.matchMedia("(min-width: 761px)").matches) more.open = true;
    document.addEventListener("innboks:inquiry", schedule);
    document.addEventListener("innboks:conversation", schedule);
    document.addEventListener("change", (event) => {
      if (event.target.id === "select-all") {
        document.querySelectorAll('#rows input[name="selected"]').forEach((box) => { box.checked = event.target.checked; });
      }
      if (event.target.matches('input[name="selected"], #select-all')) updateBulk();
    });
    document.querySelectorAll("[data-bulk]").forEach((button) => button.addEventListener("click", () => bulk(button.dataset.bulk)));
    updateBulk();
  });

  window.InnboksList = {selected, refresh, encode};
})();
