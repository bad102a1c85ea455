/* Keyboard shortcuts of the notes editor, listed on the page by the
   shortcuts() macro (templates/notes/_macros.html); a browser test checks
   that the list and this file agree. Everything also works without this file.

   Alt+letter, read from event.code: Option+letter on a Mac types a character
   and event.key would be that character. The letters stay clear of the
   browsers' own Alt keys (Firefox's menus F E V S B T H, Chrome's F E D) and
   of AltGr, which arrives as Ctrl+Alt. */
(function () {
  "use strict";

  var SPANS = { KeyM: "members", KeyC: "confidential" };

  function submit(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // The form a shortcut acts on: the one holding the focus, else the page's
  // first editor form (the new item's on the editor page).
  function editorForm(target) {
    var form = target && target.closest ? target.closest("form.editor-form") : null;
    return form || document.querySelector("form.editor-form");
  }

  function announce(form, text) {
    var status = form.querySelector(".editor-announce");
    if (status) {
      status.textContent = text;
    }
  }

  function labelOf(input) {
    var label = input.labels && input.labels[0];
    return label ? label.textContent.trim() : input.value;
  }

  function changed(control) {
    control.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function step(index, count, back) {
    return (index + (back ? count - 1 : 1)) % count;
  }

  function cycleKind(form, back) {
    var kind = form.elements.namedItem("kind");
    if (!kind || !kind.options.length) {
      return false;
    }
    kind.selectedIndex = step(Math.max(kind.selectedIndex, 0), kind.options.length, back);
    changed(kind);
    announce(form, "Kind: " + kind.options[kind.selectedIndex].text + ".");
    return true;
  }

  function cycleConfidentiality(form, back) {
    var radios = Array.prototype.slice.call(
      form.querySelectorAll("input[type=radio][name=confidentiality]")
    );
    if (!radios.length) {
      return false;
    }
    var current = radios.findIndex(function (radio) { return radio.checked; });
    var next = radios[step(Math.max(current, 0), radios.length, back)];
    next.checked = true;
    changed(next);
    announce(form, "Confidentiality: " + labelOf(next) + ".");
    return true;
  }

  function focusSpeaker(form) {
    var speaker = form.elements.namedItem("speaker");
    if (!speaker) {
      return false;
    }
    speaker.focus();
    return true;
  }

  function focusText(body) {
    if (!body) {
      return false;
    }
    body.focus();
    body.scrollIntoView({ block: "nearest" });
    return true;
  }

  // Alt+letter: what it does to the form in focus (or the page's editor form).
  var FORM_KEYS = {
    KeyK: cycleKind,
    KeyO: cycleConfidentiality,
    KeyP: focusSpeaker,
    KeyN: function (form) {
      var fresh = document.querySelector("form.new-item-form textarea[name=body]");
      return focusText(fresh || form.elements.namedItem("body"));
    },
  };

  // The cycles also run backwards with Shift; the other letters take no Shift.
  var BACKWARDS = { KeyK: true, KeyO: true };

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

  // Back from adding an item, or adding after one: the cursor is in the text
  // (autofocus); bring the whole new-item form into view, not just the text.
  // Links here carry no #fragment, as browsers skip autofocus on one.
  var ready = document.querySelector("form.new-item-form textarea[autofocus]");
  if (ready) {
    ready.focus({ preventScroll: true });
    var section = ready.closest("section") || ready;
    var fits = section.getBoundingClientRect().height <= window.innerHeight;
    (fits ? section : ready).scrollIntoView({ block: fits ? "start" : "center" });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.defaultPrevented) {
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      var form = target && target.form;
      if (form && form.classList.contains("editor-form")) {
        event.preventDefault();
        submit(form);
      }
      return;
    }
    var plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    if (plain && event.key === "Enter" && target && target.matches &&
        target.matches("form.editor-form select[name=kind], form.editor-form select[name=speaker]")) {
      // Speaker or kind chosen: straight back to the text.
      event.preventDefault();
      focusText(target.form.elements.namedItem("body"));
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (SPANS[event.code] && !event.shiftKey && target && target.matches &&
        target.matches("form.editor-form textarea[name=body]")) {
      event.preventDefault();
      markSpan(target, SPANS[event.code]);
      return;
    }
    if (event.shiftKey && !BACKWARDS[event.code]) {
      return;
    }
    var action = FORM_KEYS[event.code];
    var editor = action && editorForm(target);
    if (editor && action(editor, event.shiftKey)) {
      event.preventDefault();
    }
  });
})();
