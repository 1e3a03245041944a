// Innboks: the conversation page, live and safe for two colleagues at once.
// - New messages, actions, notes and status appear in place (from /api/events), keeping focus and scroll.
// - The page keeps the version it showed the user; changes by others are listed in a notice ("Kari ba om
//   et svar") and not adopted until the user says they have seen them, so a reply never goes out on top of
//   a colleague's unseen one: the server answers 409 and nothing is sent.
// - Presence: who else has the conversation open, and who is writing.
"use strict";

(() => {
  const me = (document.querySelector('meta[name="innboks-user"]') || {}).content;
  const encode = (id) => id.split("/").map(encodeURIComponent).join("/");
  let page, latest = 0, conflict = null, refreshing = false, again = false;
  const others = new Map();

  const asNumber = (version) => Number(version || 0);

  function adopt(version) {
    if (asNumber(version) > asNumber(page.dataset.version)) page.dataset.version = String(version);
  }

  function describe(change) {
    if (change.summary) return change.summary;
    return "Samtalen ble endret";
  }

  const listed = new Set();

  function showChanges(changes, canResend) {
    const notice = document.getElementById("changed");
    const list = document.getElementById("changed-list");
    const summaries = [];
    for (const change of changes) {
      if (change.id && listed.has(change.id)) continue;  // already listed (from the live events)
      if (change.id) listed.add(change.id);
      const item = document.createElement("li");
      item.textContent = describe(change);
      list.append(item);
      summaries.push(item.textContent);
    }
    document.getElementById("send-anyway").hidden = !canResend;
    document.getElementById("changed-hint").textContent = canResend
      ? "Det du ville gjøre, er ikke sendt. Se over det nye først." : "Se over det nye før du sender. Ingenting er sendt.";
    const wasHidden = notice.hidden;
    notice.hidden = false;
    if (summaries.length) window.InnboksAnnounce(`Samtalen er endret: ${summaries.join(". ")}`);
    if (canResend && wasHidden) notice.querySelector("h2").scrollIntoView({block: "nearest"});
  }

  function clearChanges() {
    document.getElementById("changed").hidden = true;
    document.getElementById("changed-list").replaceChildren();
    listed.clear();
    conflict = null;
  }

  async function refreshThread() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      const response = await fetch(`/samtale/${encode(page.dataset.key)}?fragment=thread`, {credentials: "same-origin"});
      if (response.ok) {
        const thread = document.getElementById("thread");
        const {added} = window.InnboksMorph(thread, await response.text());
        latest = Math.max(latest, asNumber(thread.dataset.version));
        const messages = added.filter((node) => node.dataset.key && node.dataset.key.startsWith("m-"));
        if (messages.length) window.InnboksAnnounce(messages.length === 1 ? "1 ny melding i samtalen" : `${messages.length} nye meldinger i samtalen`);
      }
    } catch (error) { /* offline for a moment */ }
    refreshing = false;
    if (again) { again = false; refreshThread(); }
  }

  function onChange(event) {
    const change = event.detail;
    if (change.conversation_key !== page.dataset.key) return;
    if (change.version) {
      latest = Math.max(latest, asNumber(change.version));
      if (change.actor === me) adopt(change.version);
      else if (asNumber(change.version) > asNumber(page.dataset.version)) showChanges([change], false);
    }
    refreshThread();
  }

  // --- presence ------------------------------------------------------------------------------
  let writingUntil = 0, lastSent = "";
  const PRESENCE = {viewing: "har samtalen åpen", writing: "skriver et svar nå"};

  function renderPresence() {
    const bar = document.getElementById("presence");
    const shown = [...others.entries()].map(([name, state]) => `${name}:${state}`).join(",");
    if (bar.dataset.shown === shown && bar.childElementCount) return;  // unchanged: nothing to read out again
    bar.dataset.shown = shown;
    if (!others.size) {
      const none = document.createElement("span");
      none.className = "meta";
      none.textContent = "Ingen andre har samtalen åpen.";
      bar.replaceChildren(none);
      return;
    }
    bar.replaceChildren(...[...others.entries()].map(([name, state]) => {
      const who = document.createElement("span");
      who.className = `who${state === "writing" ? " writing" : ""}`;
      who.textContent = `${name} ${PRESENCE[state] || ""}`;
      return who;
    }));
  }

  async function sendPresence(state, keepalive = false) {
    lastSent = state;
    try {
      const response = await fetch(`/api/conversations/${encode(page.dataset.key)}/presence`, {
        method: "POST", credentials: "same-origin", keepalive,
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()}, body: JSON.stringify({state}),
      });
      if (response.ok && !keepalive) {
        others.clear();
        for (const p of (await response.json()).presence) others.set(p.username, p.state);
        renderPresence();
      }
    } catch (error) { /* try again with the next beat */ }
  }

  function onPresence(event) {
    const change = event.detail;
    if (change.conversation_key !== page.dataset.key || change.actor === me) return;
    if (change.state === "left") others.delete(change.actor);
    else others.set(change.actor, change.state);
    renderPresence();
  }

  function beat() { sendPresence(Date.now() < writingUntil ? "writing" : "viewing"); }

  // --- close, snooze, notes ------------------------------------------------------------------
  function snoozeUntil(form) {
    const choice = form.when.value;
    const at8 = (date) => { date.setHours(8, 0, 0, 0); return date; };
    if (choice === "citizen") return null;
    if (choice === "custom") return form.until.value ? new Date(form.until.value).toISOString() : undefined;
    const date = new Date();
    if (choice === "tomorrow") date.setDate(date.getDate() + 1);
    else date.setDate(date.getDate() + ((8 - date.getDay()) % 7 || 7));
    return at8(date).toISOString();
  }

  function workflow() {
    const close = document.getElementById("close");
    if (close) close.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await post(`/api/inquiries/${encode(close.dataset.inquiry)}/close`, {reason: close.reason.value});
        toast("Lukket uten svar. Fristen er stoppet, og henvendelsen forsvinner fra listen.");
      } catch (error) { toast(`Ikke lukket: ${error.message}`); }
    });
    const snooze = document.getElementById("snooze");
    if (snooze) snooze.addEventListener("submit", async (event) => {
      event.preventDefault();
      const until = snoozeUntil(snooze);
      if (until === undefined) { toast("Velg et tidspunkt."); snooze.until.focus(); return; }
      try {
        await post(`/api/inquiries/${encode(snooze.dataset.inquiry)}/snooze`, {until});
        toast(until ? "Satt på vent. Den kommer tilbake i listen med ny frist." : "Satt på vent til innbyggeren skriver igjen.");
      } catch (error) { toast(`Ikke satt på vent: ${error.message}`); }
    });
    const note = document.getElementById("note");
    if (note) note.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await post(`/api/conversations/${encode(note.dataset.key)}/notes`, {text: note.text.value});
        note.text.value = "";
        toast("Notatet er lagret. Det sendes ikke til innbyggeren.");
        refreshThread();
      } catch (error) { toast(`Ikke lagret: ${error.message}`); }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    page = document.getElementById("conversation");
    if (!page) return;
    latest = asNumber(page.dataset.version);
    document.addEventListener("innboks:conversation", onChange);
    document.addEventListener("innboks:inquiry", onChange);
    document.addEventListener("innboks:presence", onPresence);
    document.addEventListener("innboks:own-change", (event) => adopt(event.detail.version));
    document.addEventListener("innboks:conflict", (event) => {
      conflict = event.detail;
      latest = Math.max(latest, asNumber(conflict.answer.version));
      showChanges(conflict.answer.changes, true);
      refreshThread();
    });
    document.getElementById("changed-seen").addEventListener("click", () => {
      adopt(Math.max(latest, asNumber(document.getElementById("thread").dataset.version)));
      clearChanges();
      window.InnboksAnnounce("Du har sett endringene.");
    });
    document.getElementById("send-anyway").addEventListener("click", async () => {
      if (!conflict) return;
      const {url, body, answer} = conflict;
      try {
        await post(url, {...body, version: answer.version});
        adopt(answer.version);
        clearChanges();
        toast("Sendt.");
        const reply = document.getElementById("reply");
        if (reply && url.endsWith("/reply")) reply.text.value = "";
      } catch (error) { toast(`Ikke sendt: ${error.message}`); }
    });
    const text = document.querySelector("#reply textarea");
    if (text) text.addEventListener("input", () => {
      writingUntil = Date.now() + 20000;
      if (lastSent !== "writing") sendPresence("writing");
    });
    workflow();
    beat();
    setInterval(beat, 15000);
    window.addEventListener("pagehide", () => sendPresence("left", true));
  });
})();
