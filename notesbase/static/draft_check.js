/* The names check of the notes editor: while an item is typed, the words
   members or the public would read that name someone who has not agreed to
   it, listed under the text before saving, with the fixes the leak check
   offers after saving (a span around the words, a stricter confidentiality)
   and a link to the person's consent page.

   It asks this site's own draft-check address (the form's data-url, with
   the page's CSRF token) about 400 ms after typing stops, and at once when
   the page opens with text in the form; an answer to an older request never
   replaces a newer one. Nothing goes to any other site. Without this file
   the editor works as before, and the leak check still runs before the notes
   are circulated or published. */
(function () {
  "use strict";

  var DELAY = 400;

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  function Problem(message) {
    this.message = message;
  }

  function setUp(box) {
    var form = box.closest("form");
    var body = form && form.elements.namedItem("body");
    if (!body) {
      return;
    }
    var section = form.elements.namedItem("section");
    var speaker = form.elements.namedItem("speaker");
    var token = form.elements.namedItem("csrf_token");
    var status = box.querySelector(".draft-check-status");
    var problem = box.querySelector(".draft-check-problem");
    var list = box.querySelector(".draft-check-findings");
    var announcer = form.querySelector(".editor-announce");
    var asked = 0; // the number of the latest request: only its answer is shown
    var timer = null;
    var pending = null;
    var shown = { body: body.value, section: section ? section.value : "", findings: [] };
    var said = "";

    box.hidden = false;

    function announce(text) {
      if (announcer) {
        announcer.textContent = text;
      }
    }

    function confidentiality() {
      var checked = form.querySelector("input[type=radio][name=confidentiality]:checked");
      return checked ? checked.value : "open";
    }

    function draft() {
      var data = {
        body: body.value,
        section: section ? section.value : "",
        confidentiality: confidentiality(),
      };
      if (box.dataset.item) {
        data.item = Number(box.dataset.item);
      }
      if (speaker && speaker.value && /^\d+$/.test(speaker.value)) {
        data.speaker = Number(speaker.value);
      }
      return data;
    }

    function say(text) {
      if (text !== said) {
        said = text;
        status.textContent = text;
      }
    }

    function answerOf(response) {
      if (response.type === "opaqueredirect") {
        throw new Problem("Names are not being checked: you are no longer logged in.");
      }
      return response.json().then(
        function (answer) {
          if (response.ok && answer && Array.isArray(answer.findings)) {
            return answer;
          }
          var error = answer && answer.error;
          var fields = error && error.fields ? Object.values(error.fields).join(" ") : "";
          throw new Problem(
            "Names are not being checked: " +
              ((error && error.message) || "the check did not answer.") +
              (fields ? " " + fields : "")
          );
        },
        function () {
          throw new Problem("Names are not being checked: the check did not answer.");
        }
      );
    }

    function check() {
      clearTimeout(timer);
      timer = null;
      var data = draft();
      var number = ++asked;
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (!data.body.trim() && !data.section.trim()) {
        show(number, data, []);
        return;
      }
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      pending = controller;
      fetch(box.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        cache: "no-store",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: JSON.stringify(data),
        signal: controller ? controller.signal : undefined,
      })
        .then(answerOf)
        .then(function (answer) {
          show(number, data, answer.findings);
        })
        .catch(function (error) {
          if (number !== asked || (error && error.name === "AbortError")) {
            return;
          }
          show(number, data, []);
          var message =
            error instanceof Problem
              ? error.message
              : "Names are not being checked: the site cannot be reached.";
          say(message);
          problem.textContent = message;
          problem.hidden = false;
        })
        .finally(function () {
          if (pending === controller) {
            pending = null;
          }
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    }

    // The text is still the text the answer was about.
    function current() {
      return body.value === shown.body && (!section || section.value === shown.section);
    }

    function stale() {
      announce("The text has changed since it was checked: checking again.");
      check();
    }

    function select(finding) {
      if (!current()) {
        stale();
        return;
      }
      var field = finding.field === "section" && section ? section : body;
      field.focus();
      field.setSelectionRange(finding.start, finding.end);
    }

    function wrap(finding) {
      var fix = finding.fixes.span;
      if (!current()) {
        stale();
        return;
      }
      var places = fix.places.slice().sort(function (a, b) { return b[0] - a[0]; });
      places.forEach(function (place) {
        var words = body.value.slice(place[0], place[1]);
        body.setRangeText("[" + words + "]{." + fix.level + "}", place[0], place[1], "end");
      });
      // The first span made, selected: "[" and "]{." and "}" were added.
      var first = places[places.length - 1];
      body.focus();
      body.setSelectionRange(first[0], first[1] + fix.level.length + 5);
      announce(fix.label + ": done. Checking again.");
      body.dispatchEvent(new Event("input", { bubbles: true }));
      check();
    }

    function restrict(finding) {
      var fix = finding.fixes.confidentiality;
      var radio = form.querySelector(
        "input[type=radio][name=confidentiality][value=" + fix.level + "]"
      );
      if (!radio) {
        return;
      }
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      var label = radio.labels && radio.labels[0] ? radio.labels[0].textContent.trim() : fix.level;
      body.focus();
      announce("Confidentiality: " + label + ". Checking again.");
      check();
    }

    function button(text, action) {
      var made = element("button", "button small", text);
      made.type = "button";
      made.addEventListener("click", action);
      return made;
    }

    function entry(finding) {
      var item = element("li", "draft-check-finding");
      item.appendChild(element("p", "draft-check-why", finding.why));
      var others = finding.audiences.slice(1).map(function (a) { return a.label; });
      if (others.length) {
        item.appendChild(
          element("p", "hint", "Nor may " + others.join(" or ") + " read it.")
        );
      }
      if (finding.start === null) {
        item.appendChild(
          element(
            "p",
            "hint",
            "It is split by formatting in the text (such as ** marks): find it and rewrite it."
          )
        );
      }
      var actions = element("p", "draft-check-actions");
      if (finding.start !== null) {
        var where = finding.field === "section" ? " in the section heading" : " in the text";
        actions.appendChild(
          button("Show “" + finding.text + "”" + where, function () { select(finding); })
        );
      }
      if (finding.fixes.span) {
        actions.appendChild(button(finding.fixes.span.label, function () { wrap(finding); }));
      }
      if (finding.fixes.confidentiality) {
        actions.appendChild(
          button(finding.fixes.confidentiality.label, function () { restrict(finding); })
        );
      }
      finding.people.forEach(function (person) {
        var link = element("a", "draft-check-consent", "Consent of " + person.display);
        link.href = person.consent_url;
        link.target = "_blank";
        link.rel = "noopener";
        link.appendChild(element("span", "visually-hidden", " (opens in a new tab)"));
        actions.appendChild(link);
      });
      item.appendChild(actions);
      return item;
    }

    function summary(findings) {
      if (!findings.length) {
        return shown.findings.length ? "Nothing flagged now." : "";
      }
      var whys = findings.map(function (finding) { return finding.why; });
      if (findings.length === 1) {
        return "Flagged below: " + whys[0];
      }
      return findings.length + " flagged below. " + whys.join(" ");
    }

    function show(number, data, findings) {
      if (number !== asked) {
        return; // an older answer: a newer request is on its way
      }
      var before = JSON.stringify(shown.findings);
      var text = summary(findings);
      shown = { body: data.body, section: data.section, findings: findings };
      say(text);
      problem.hidden = true;
      if (JSON.stringify(findings) === before && list.childElementCount === findings.length) {
        return; // the same list: leave the focus where it is
      }
      var focused = list.contains(document.activeElement)
        ? Array.prototype.indexOf.call(list.querySelectorAll("button, a"), document.activeElement)
        : -1;
      list.textContent = "";
      findings.forEach(function (finding) { list.appendChild(entry(finding)); });
      list.hidden = !findings.length;
      if (focused >= 0) {
        var again = list.querySelectorAll("button, a")[focused];
        (again || body).focus();
      }
    }

    body.addEventListener("input", later);
    if (section) {
      section.addEventListener("input", later);
    }
    if (speaker) {
      speaker.addEventListener("change", later);
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "confidentiality") {
        later();
      }
    });
    if (body.value.trim() || (section && section.value.trim())) {
      check();
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".draft-check[data-url]"), setUp);
})();
