// Innboks: keyboard shortcuts for a working day (j/k next and previous, a assign to me, r reply, c close,
// ? help). Single keys only act when focus is not in a field, without Ctrl/Alt/Cmd, and they can be
// turned off in the help (WCAG 2.1.4); a screen reader in browse mode keeps its own keys.
"use strict";

(() => {
  const KEY = "innboks.shortcuts";
  const enabled = () => localStorage.getItem(KEY) !== "off";
  const ORDER = "innboks.order";

  function rowLinks() { return [...document.querySelectorAll("#rows tr[data-inquiry] a.open")]; }

  function move(step) {
    const links = rowLinks();
    if (links.length) {
      const index = links.indexOf(document.activeElement.closest("tr") ? document.activeElement.closest("tr").querySelector("a.open") : null);
      const next = links[Math.min(links.length - 1, Math.max(0, index < 0 ? 0 : index + step))];
      next.focus();
      next.scrollIntoView({block: "nearest"});
      return;
    }
    // On a conversation: the next or previous one in the list the user came from.
    const order = JSON.parse(sessionStorage.getItem(ORDER) || "[]");
    const here = order.indexOf(window.location.pathname);
    const target = here >= 0 ? order[here + step] : null;
    if (target) window.location.href = target;
    else toast(step > 0 ? "Ingen flere henvendelser i listen." : "Dette er den første i listen.");
  }

  function focusedRow() {
    const row = document.activeElement && document.activeElement.closest("#rows tr[data-inquiry]");
    return row || null;
  }

  async function assignToMe() {
    const me = document.querySelector("#assign [data-assign-me]");
    if (me) { me.click(); return; }
    const row = focusedRow();
    if (!row) { toast("Gå til en henvendelse først (j og k)."); return; }
    const user = document.querySelector('meta[name="innboks-user"]').content;
    const url = `/api/inquiries/${window.InnboksList.encode(row.dataset.inquiry)}/assign`;
    try {
      await post(url, {assignee: user});
      toast(`Tildelt ${user}`);
    } catch (error) {
      if (error.body && error.body.takeover_needed && window.confirm(`Henvendelsen er tildelt ${error.body.assignee}. Ta den over?`)) {
        await post(url, {assignee: user, takeover: true}).then(() => toast(`Tildelt ${user}`), (e) => toast(`Ikke tildelt: ${e.message}`));
      } else toast(`Ikke tildelt: ${error.message}`);
    }
  }

  function reply() {
    const box = document.getElementById("reply-text");
    if (box) { box.focus(); return; }
    const row = focusedRow();
    if (row) window.location.href = `${row.querySelector("a.open").getAttribute("href")}#reply-text`;
  }

  function close() {
    const form = document.getElementById("close");
    if (form) { form.reason.focus(); return; }
    const row = focusedRow();
    const box = row && row.querySelector('input[name="selected"]');
    if (box && !box.checked) box.click();
    const reason = document.getElementById("bulk-close-reason");
    if (reason) reason.focus();
  }

  function help() {
    const dialog = document.getElementById("shortcut-help");
    if (!dialog || dialog.open) return;
    document.getElementById("shortcuts-enabled").checked = enabled();
    dialog.showModal();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable], dialog")) return;
    if (event.key === "?") { event.preventDefault(); help(); return; }
    if (!enabled()) return;
    const actions = {j: () => move(1), k: () => move(-1), a: assignToMe, r: reply, c: close};
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const open = document.getElementById("shortcut-help-open");
    if (open) open.addEventListener("click", help);
    const toggle = document.getElementById("shortcuts-enabled");
    if (toggle) toggle.addEventListener("change", () => localStorage.setItem(KEY, toggle.checked ? "on" : "off"));
    const links = rowLinks();
    if (links.length) sessionStorage.setItem(ORDER, JSON.stringify(links.map((a) => new URL(a.href).pathname)));
    if (window.location.hash === "#reply-text") {
      const box = document.getElementById("reply-text");
      if (box) box.focus();
    }
  });
})();
