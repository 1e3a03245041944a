// Innboks: the pages' live connection. One EventSource on /api/events per tab; its events are passed on
// as DOM events ("innboks:inquiry", "innboks:conversation", "innboks:presence") for list.js and
// conversation.js. Also: the number of open inquiries in the tab title, and (if the user turned it on)
// a desktop notification for each new escalated inquiry, without the citizen's words.
"use strict";

window.InnboksAnnounce = (text) => {
  // One polite live region per page (base.html): cleared first, so the same words are read again.
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 60);
};

(() => {
  const baseTitle = document.title;
  let countTimer = null;

  async function updateCount() {
    try {
      const response = await fetch("/api/inquiries?state=open&limit=1", {credentials: "same-origin"});
      if (!response.ok) return;
      const open = Number(response.headers.get("X-Total-Count") || 0);
      document.title = open ? `(${open}) ${baseTitle}` : baseTitle;
    } catch (error) { /* offline for a moment */ }
  }

  function scheduleCount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(updateCount, 400);
  }

  const NOTIFY_KEY = "innboks.notify-escalations";
  const notifying = () => "Notification" in window && Notification.permission === "granted"
    && localStorage.getItem(NOTIFY_KEY) === "on";

  function setupNotifyToggle() {
    const toggle = document.getElementById("notify-toggle");
    if (!toggle || !("Notification" in window)) return;
    const label = () => {
      toggle.textContent = notifying() ? "Slå av varsler om eskalerte henvendelser"
        : "Varsle meg om nye eskalerte henvendelser";
    };
    toggle.hidden = false;
    label();
    toggle.addEventListener("click", async () => {
      if (notifying()) localStorage.setItem(NOTIFY_KEY, "off");
      else if ((await Notification.requestPermission()) === "granted") localStorage.setItem(NOTIFY_KEY, "on");
      label();
    });
  }

  function notify(detail) {
    if (!notifying() || detail.kind !== "sla" || detail.state !== "opened" || !detail.escalate) return;
    const note = new Notification("Ny eskalert henvendelse i Innboks", {
      body: "Åpne Innboks for å se den. Eskalerte henvendelser står øverst.", tag: detail.inquiry_id,
    });
    note.onclick = () => { window.focus(); window.location.href = `/samtale/${detail.conversation_key}`; };
  }

  function connect() {
    if (!window.EventSource) return;
    const source = new EventSource("/api/events", {withCredentials: true});
    for (const type of ["inquiry", "conversation", "presence"]) {
      source.addEventListener(type, (message) => {
        let detail;
        try { detail = JSON.parse(message.data); } catch (error) { return; }
        document.dispatchEvent(new CustomEvent(`innboks:${type}`, {detail}));
        if (type === "inquiry") { scheduleCount(); notify(detail); }
      });
    }
    source.addEventListener("error", () => {
      // Closed for good (signed out, server gone): try again in a while; the browser retries the rest.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupNotifyToggle();
    updateCount();
    connect();
  });
})();
