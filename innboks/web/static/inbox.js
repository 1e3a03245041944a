// Innboks: the little JavaScript the pages need. Every change is a JSON POST with the session's
// CSRF token; the inbox list refreshes its rows by itself, keeping the filters.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function toast(text) {
  const note = document.createElement("div");
  note.className = "toast";
  note.setAttribute("role", "status");
  note.textContent = text;
  document.body.append(note);
  setTimeout(() => note.remove(), 4000);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

const encode = (id) => id.split("/").map(encodeURIComponent).join("/");

function refreshRows() {
  const table = document.getElementById("inquiries");
  if (!table) return;
  const seconds = Number(table.dataset.refresh || 20);
  setInterval(async () => {
    const params = new URLSearchParams(window.location.search);
    params.set("fragment", "rows");
    try {
      const response = await fetch(`/?${params}`, {credentials: "same-origin"});
      if (response.ok && (response.headers.get("content-type") || "").startsWith("text/html")) {
        const holder = document.createElement("table");
        holder.innerHTML = await response.text();
        const rows = holder.querySelector("#rows");
        if (rows) document.getElementById("rows").replaceWith(rows);
      }
    } catch (error) { /* offline for a moment: try again next time */ }
  }, seconds * 1000);
}

function conversationActions() {
  const assign = document.getElementById("assign");
  if (assign) {
    const send = async (assignee) => {
      try {
        await post(`/api/inquiries/${encode(assign.dataset.inquiry)}/assign`, {assignee});
        document.getElementById("assignee").textContent = assignee || "ingen";
        toast(assignee ? `Tildelt ${assignee}` : "Tildeling fjernet");
      } catch (error) { toast(`Ikke tildelt: ${error.message}`); }
    };
    assign.addEventListener("submit", (event) => { event.preventDefault(); send(assign.assignee.value.trim()); });
    const me = assign.querySelector("[data-assign-me]");
    if (me) me.addEventListener("click", () => { assign.assignee.value = me.dataset.assignMe; send(me.dataset.assignMe); });
  }
  document.querySelectorAll("form.correct").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const moderation = [...form.querySelectorAll("input[name=moderation]:checked")].map((box) => box.value);
    try {
      await post(`/api/messages/${encode(form.dataset.message)}/triage`, {category: form.category.value, moderation});
      toast("Triage rettet. Takk, rettelsen brukes til å måle og forbedre triage.");
    } catch (error) { toast(`Ikke lagret: ${error.message}`); }
  }));
  document.querySelectorAll("[data-copy]").forEach((button) => button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); toast("Kopiert"); } catch (error) { toast("Kunne ikke kopiere"); }
  }));
}

function platformActions() {
  const outcome = (answer) => answer.needs_approval
    ? "Bestilt. En annen saksbehandler må godkjenne før det sendes."
    : "Bestilt. Innboks utfører det på plattformen om et øyeblikk.";
  const reply = document.getElementById("reply");
  if (reply) {
    const picker = document.getElementById("saved-replies");
    fetch(`/api/saved-replies?account=${encodeURIComponent(reply.dataset.account)}`, {credentials: "same-origin"})
      .then((r) => (r.ok ? r.json() : []))
      .then((templates) => templates.forEach((t) => {
        const option = document.createElement("option");
        option.value = t.text;
        option.textContent = `${t.title} (${t.language})`;
        picker.append(option);
      }));
    picker.addEventListener("change", () => { if (picker.value) reply.text.value = picker.value; });
    reply.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const answer = await post(`/api/messages/${encode(reply.dataset.message)}/reply`, {text: reply.text.value});
        toast(`Svar ${outcome(answer).toLowerCase()}`);
        setTimeout(() => window.location.reload(), 2500);
      } catch (error) { toast(`Ikke sendt: ${error.message}`); }
    });
  }
  document.querySelectorAll("form.moderate").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const kind = event.submitter ? event.submitter.value : "hide";
      if (kind === "delete" && !window.confirm("Slette kommentaren på plattformen? Originalen blir tatt vare på i Innboks.")) return;
      try {
        await post(`/api/messages/${encode(form.dataset.message)}/${kind}`, {reason: form.reason.value});
        toast(kind === "delete" ? "Sletting bestilt." : "Skjuling bestilt.");
        setTimeout(() => window.location.reload(), 2500);
      } catch (error) { toast(`Ikke gjort: ${error.message}`); }
    });
    const unhide = form.querySelector("[data-unhide]");
    if (unhide) unhide.addEventListener("click", async () => {
      try { await post(`/api/messages/${encode(form.dataset.message)}/unhide`, {}); toast("Bestilt: vises igjen."); }
      catch (error) { toast(`Ikke gjort: ${error.message}`); }
    });
  });
  document.querySelectorAll("[data-approve]").forEach((button) => button.addEventListener("click", async () => {
    try {
      await post(`/api/actions/${encodeURIComponent(button.dataset.approve)}/approve`, {});
      toast("Godkjent. Svaret sendes.");
      setTimeout(() => window.location.reload(), 2500);
    } catch (error) { toast(`Ikke godkjent: ${error.message}`); }
  }));
}

function savedRepliesAdmin() {
  const form = document.getElementById("saved-reply-form");
  if (!form) return;
  const send = async (method, url, body) => {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || `HTTP ${response.status}`);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {title: form.title.value, language: form.language.value, body: form.body.value};
    try {
      if (form.id.value) await send("PUT", `/api/saved-replies/${form.id.value}`, body);
      else await send("POST", "/api/saved-replies", body);
      window.location.reload();
    } catch (error) { toast(`Ikke lagret: ${error.message}`); }
  });
  document.querySelectorAll("[data-edit]").forEach((button) => button.addEventListener("click", () => {
    form.id.value = button.dataset.edit;
    form.title.value = button.dataset.title;
    form.language.value = button.dataset.language;
    form.body.value = button.dataset.body;
    document.getElementById("saved-reply-heading").textContent = "Endre mal";
    form.scrollIntoView();
  }));
  document.querySelectorAll("[data-delete-reply]").forEach((button) => button.addEventListener("click", async () => {
    if (!window.confirm("Slette malen?")) return;
    try { await send("DELETE", `/api/saved-replies/${button.dataset.deleteReply}`); window.location.reload(); }
    catch (error) { toast(`Ikke slettet: ${error.message}`); }
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  refreshRows(); conversationActions(); platformActions(); savedRepliesAdmin();
});
