/* Tables and charts too wide for the window scroll inside their own box
   (.table-wrap, .overview-scroll: a labelled region the keyboard reaches).
   While one does, a short hint above it says so, and is also the box's
   description, so a screen reader reads it when the box takes the focus.
   Without script the shadows at the box's edges (style.css) still show it. */
(() => {
  "use strict";
  const HINT = "Scroll sideways for more";
  const hints = new Map();
  const boxOf = new Map();

  const setDescribed = (box, id, on) => {
    const ids = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter((each) => each && each !== id);
    if (on) ids.push(id);
    if (ids.length) box.setAttribute("aria-describedby", ids.join(" "));
    else box.removeAttribute("aria-describedby");
  };

  const update = (box) => {
    const hint = hints.get(box);
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (hint.hidden === !scrolls) return;
    hint.hidden = !scrolls;
    setDescribed(box, hint.id, scrolls);
  };

  const observer = new ResizeObserver((entries) => {
    new Set(entries.map((entry) => boxOf.get(entry.target))).forEach(update);
  });

  document.querySelectorAll(".table-wrap, .overview-scroll").forEach((box, index) => {
    const hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.id = `scroll-hint-${index + 1}`;
    hint.textContent = HINT;
    hint.hidden = true;
    box.before(hint);
    hints.set(box, hint);
    // The box changes size with the window; what it holds, with its content.
    for (const watched of [box, ...box.children]) {
      boxOf.set(watched, box);
      observer.observe(watched);
    }
  });
})();
