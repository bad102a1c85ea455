// Search suggestions: topic names and meeting titles (public fields only),
// offered through the search box's <datalist> as the reader types.
(function () {
  "use strict";
  var list = document.getElementById("search-suggestions");
  var box = document.getElementById("search-q");
  if (!list || !box) return;
  var source = list.getAttribute("data-source");
  var timer = null;
  var last = "";
  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var text = box.value.trim();
      if (text.length < 2 || text === last) return;
      last = text;
      fetch(source + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (words) {
          list.replaceChildren.apply(list, words.map(function (word) {
            var option = document.createElement("option");
            option.value = word;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a convenience */ });
    }, 150);
  });
})();
