// Innboks: the crisis switch (administrators). A reason, a ticked confirmation and a last question
// before the event goes to innboks.control; the page then shows the new state.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("crisis-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const active = form.dataset.active !== "true";
    const reason = form.reason.value.trim();
    if (!reason || !form.confirm.checked) { toast("Skriv hvorfor, og kryss av for at du bekrefter."); return; }
    const question = active
      ? "Slå på krisemodus nå? Nye henvendelser får frist på én time, hele døgnet."
      : "Slå av krisemodus nå? Henvendelsene fra krisen får vanlig frist igjen.";
    if (!window.confirm(question)) return;
    try {
      await post("/api/crisis", {active, reason});
      toast(active ? "Krisemodus er slått på." : "Krisemodus er slått av.");
      setTimeout(() => window.location.reload(), 1500);
    } catch (error) { toast(`Ikke endret: ${error.message}`); }
  });
});
