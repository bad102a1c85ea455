/* Keyboard shortcuts of the notes editor (listed on the editor page).
   Ctrl/Cmd+Enter saves the editor form being typed in; Alt+N jumps to the
   text of a new item; Alt+M and Alt+C mark the selected words as a
   members-only or confidential span. Everything also works without this file. */
(function () {
  "use strict";

  function submit(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  var SPANS = { KeyM: "members", KeyC: "confidential" };

  function markSpan(textarea, kind) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var words = textarea.value.slice(start, end);
    var marked = "[" + words + "]{." + kind + "}";
    textarea.setRangeText(marked, start, end, "end");
    if (start === end) {
      // Nothing selected: leave the cursor between the brackets to type.
      textarea.setSelectionRange(start + 1, start + 1);
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
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
    var plainAlt = event.altKey && !event.ctrlKey && !event.metaKey;
    if (plainAlt && SPANS[event.code] && target && target.matches("form.editor-form textarea")) {
      event.preventDefault();
      markSpan(target, SPANS[event.code]);
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
