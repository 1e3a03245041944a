// Innboks: replacing a part of the page with its new server rendering without losing focus or scroll.
// Children are matched by data-key: one whose HTML did not change is kept as it is (with what the user
// typed or chose in it, and the focus); a changed one is replaced; new ones are inserted in place.
"use strict";

window.InnboksMorph = (container, html) => {
  const holder = document.createElement(container.tagName === "TBODY" ? "table" : "div");
  holder.innerHTML = html;
  const fresh = holder.querySelector(`#${container.id}`);
  if (!fresh) return {added: [], removed: 0};
  // Keep what the user looks at where it is: the focused item, else the first one in view.
  const anchor = (document.activeElement && container.contains(document.activeElement)
    ? document.activeElement.closest("[data-key]") : null)
    || [...container.children].find((child) => child.getBoundingClientRect().bottom > 0);
  const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
  const active = document.activeElement;
  const focusedKey = active && container.contains(active) ? active.closest("[data-key]") : null;
  const focusedIndex = focusedKey ? [...focusedKey.querySelectorAll("a, button, input, select, textarea")].indexOf(active) : -1;
  const old = new Map([...container.children].map((child) => [child.dataset.key, child]));
  const added = [];
  let previous = null;
  for (const child of [...fresh.children]) {
    const key = child.dataset.key;
    let node = old.get(key);
    if (node && node.outerHTML !== child.outerHTML && !(node === focusedKey && node.contains(active) && active.matches("textarea, input[type=text], input:not([type])"))) {
      node.replaceWith(child);
      node = child;
    } else if (!node) {
      node = child;
      added.push(child);
    }
    old.delete(key);
    const place = previous ? previous.nextSibling : container.firstChild;
    if (place !== node) container.insertBefore(node, place);
    previous = node;
  }
  old.forEach((node) => node.remove());
  for (const [name, value] of Object.entries(fresh.dataset)) container.dataset[name] = value;
  if (focusedKey && document.contains(active)) {
    // Moving a node that holds the focus drops it to <body>: give it back.
    if (document.activeElement !== active) active.focus({preventScroll: true});
  } else if (focusedKey) {
    // The focused row was replaced: focus the same control in its new rendering, else the row's link.
    const again = container.querySelector(`[data-key="${CSS.escape(focusedKey.dataset.key)}"]`);
    const controls = again ? [...again.querySelectorAll("a, button, input, select, textarea")] : [];
    (controls[focusedIndex] || controls[0] || document.getElementById("main")).focus({preventScroll: true});
  }
  const anchorNow = anchor && anchor.dataset.key
    ? container.querySelector(`[data-key="${CSS.escape(anchor.dataset.key)}"]`) : null;
  if (anchorNow && window.scrollY > 0) window.scrollBy(0, anchorNow.getBoundingClientRect().top - anchorTop);
  return {added, removed: old.size};
};
