// Search the guideline in the browser: no server, nothing loaded but the index beside this file.
// Results are built with DOM nodes and textContent only, so no field of the index can become markup.
(function () {
  "use strict";
  var index = window.GRADING_SEARCH_INDEX || [];
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!input || !status || !list) { return; }

  function fold(text) {
    // lower case, accents removed (é -> e); æ, ø and å stay letters of their own
    return String(text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  var prepared = index.map(function (e) {
    return { entry: e, title: fold(e.title), text: fold(e.text + " " + (e.also || "")) };
  });

  function snippet(text, word) {
    var at = fold(text).indexOf(word);
    if (at < 0) { return text.slice(0, 160); }
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.slice(start, start + 180) + (start + 180 < text.length ? "…" : "");
  }

  function search(query) {
    var words = fold(query).split(/\s+/).filter(function (w) { return w.length > 0; });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (words.length === 0) { status.textContent = index.length + " entries to search."; return; }
    var hits = [];
    prepared.forEach(function (p) {
      var score = 0;
      for (var i = 0; i < words.length; i++) {
        var inTitle = p.title.indexOf(words[i]) >= 0;
        if (!inTitle && p.text.indexOf(words[i]) < 0) { return; }
        score += inTitle ? 2 : 1;
      }
      hits.push({ p: p, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    status.textContent = hits.length + " result" + (hits.length === 1 ? "" : "s") + " for \u201c" + query + "\u201d.";
    hits.forEach(function (h) {
      var e = h.p.entry;
      var li = document.createElement("li");
      li.className = "result result-" + e.kind;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.kind;
      var a = document.createElement("a");
      a.setAttribute("href", e.url);
      a.textContent = e.title;
      var text = document.createElement("span");
      text.className = "snippet";
      text.textContent = snippet(e.text, words[0]);
      li.appendChild(kind);
      li.appendChild(a);
      li.appendChild(text);
      list.appendChild(li);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  search(query);
  input.addEventListener("input", function () { search(input.value); });
})();
