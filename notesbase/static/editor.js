/* Keyboard shortcuts of the notes editor (listed on the editor page).
   Ctrl/Cmd+Enter saves the editor form being typed in; Alt+N jumps to the
   text of a new item. Everything also works without this file. */
(function () {
  "use strict";

  function submit(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      var form = target && target.form;
      if (form && form.classList.contains("editor-form")) {
        event.preventDefault();
        submit(form);
      }
      return;
    }
    // event.code, not event.key: Option+N on a Mac types a dead key.
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN") {
      var body = document.querySelector("form.new-item-form textarea[name=body]");
      if (body) {
        event.preventDefault();
        body.focus();
        body.scrollIntoView({ block: "center" });
      }
    }
  });
})();
