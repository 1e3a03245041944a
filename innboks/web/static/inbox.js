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
  if (!response.ok) {
    const failure = new Error(answer.error || `HTTP ${response.status}`);
    failure.answer = answer;
    throw failure;
  }
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
        const shown = document.createElement("bdi");  // user text stays a bidirectional island
        shown.textContent = assignee || "ingen";
        document.getElementById("assignee").replaceChildren(shown);
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
      } catch (error) {
        const region = document.getElementById("reply-check");
        if (region && error.answer && error.answer.warnings) {
          showWarnings(region, reply.text, error.answer, reply.text.value);
        }
        toast(`Ikke sendt: ${error.message}`);
      }
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

// The reply check (POST /api/replies/check): its warnings in a live region the textarea points to
// (aria-describedby), so a screen reader hears them as the operator writes.
const CHECK_LABELS = {personal_data: "Personopplysninger", case_decision: "Avgjør en sak", tone: "Tone",
                      plain_language: "Klarspråk", language_mismatch: "Målform og språk", crisis_channel: "Krisemodus"};

function showWarnings(region, textarea, result, text, intro) {
  region.replaceChildren();
  const warnings = result.warnings || [];
  if (textarea) textarea.setAttribute("aria-invalid", result.blocked ? "true" : "false");
  if (!warnings.length) return;
  if (intro) {
    const lead = document.createElement("p");
    lead.textContent = intro;
    region.append(lead);
  }
  if (result.blocked) {
    const stop = document.createElement("p");
    stop.className = "blocked";
    stop.textContent = "Svaret kan ikke sendes før personopplysningene er fjernet.";
    region.append(stop);
  }
  const list = document.createElement("ul");
  warnings.forEach((warning) => {
    const item = document.createElement("li");
    item.dataset.code = warning.code;
    const label = document.createElement("strong");
    label.textContent = `${CHECK_LABELS[warning.code] || warning.code}: `;
    item.append(label);
    if (text && warning.start !== undefined && warning.end !== undefined && warning.code !== "personal_data") {
      const quote = document.createElement("q");
      quote.textContent = text.slice(warning.start, warning.end);
      item.append(quote, " ");
    }
    item.append(warning.message);
    list.append(item);
  });
  region.append(list);
}

function replyCheck() {
  const reply = document.getElementById("reply");
  const region = document.getElementById("reply-check");
  if (!reply || !region) return;
  const textarea = reply.text;
  let timer = null;
  let asked = 0;
  const check = async () => {
    const text = textarea.value;
    const mine = ++asked;
    if (!text.trim()) { showWarnings(region, textarea, {warnings: []}, text); return; }
    try {
      const result = await post("/api/replies/check", {text, message_id: reply.dataset.message});
      if (mine === asked) showWarnings(region, textarea, result, text);
    } catch (error) { /* the check is advice; the send is checked again on the server */ }
  };
  textarea.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 500); });
  const picker = document.getElementById("saved-replies");
  if (picker) picker.addEventListener("change", () => setTimeout(check, 0));
  if (textarea.value.trim()) check();
}

function factsAdmin() {
  const form = document.getElementById("facts-form");
  if (!form) return;
  const status = document.getElementById("facts-status");
  const list = document.getElementById("facts-warnings");
  const showList = (warnings) => {
    list.replaceChildren();
    (warnings || []).forEach((warning) => {
      const item = document.createElement("li");
      item.textContent = `${warning.topic || "nødsituasjoner"} (${warning.situation}, ${warning.language}): `
        + `${CHECK_LABELS[warning.code] || warning.code}: ${warning.message}`;
      list.append(item);
    });
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Lagrer …";
    try {
      const response = await fetch("/api/facts", {
        method: "PUT", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
        body: JSON.stringify({document: form.document.value}),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        form.document.setAttribute("aria-invalid", "true");
        status.textContent = `Ikke lagret: ${answer.error || `HTTP ${response.status}`}`;
        showList(answer.warnings);
        return;
      }
      form.document.setAttribute("aria-invalid", "false");
      const notes = answer.warnings && answer.warnings.length ? ` ${answer.warnings.length} merknader til forslagene:` : "";
      status.textContent = `Lagret (versjon ${answer.digest.slice(0, 12)}, ${answer.topics} emner). `
        + `Forslagene til svar bruker det om noen sekunder.${notes}`;
      showList(answer.warnings);
    } catch (error) { status.textContent = `Ikke lagret: ${error.message}`; }
  });
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
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = new Error(answer.error || `HTTP ${response.status}`);
      failure.answer = answer;
      throw failure;
    }
    return answer;
  };
  const region = document.getElementById("saved-reply-check");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {title: form.title.value, language: form.language.value, body: form.body.value};
    try {
      const answer = form.id.value ? await send("PUT", `/api/saved-replies/${form.id.value}`, body)
        : await send("POST", "/api/saved-replies", body);
      if (region && answer.warnings && answer.warnings.length) {
        showWarnings(region, form.body, answer, null, "Malen er lagret. Svarsjekken har disse merknadene:");
        return;
      }
      window.location.reload();
    } catch (error) {
      if (region && error.answer && error.answer.warnings) showWarnings(region, form.body, error.answer, null);
      toast(`Ikke lagret: ${error.message}`);
    }
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
  refreshRows(); conversationActions(); platformActions(); replyCheck(); factsAdmin(); savedRepliesAdmin();
});
