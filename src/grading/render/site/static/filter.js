// Filter the front page's recommendations in the browser: no server, nothing loaded. Without this script the
// filters stay hidden and every recommendation is listed.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  if (!form || !status) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.rec"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.rec-section"));
  var names = ["section", "phase", "group", "strength", "direction"];

  function matches(card, name, wanted) {
    if (!wanted) { return true; }
    var have = (card.getAttribute("data-" + name) || "").split("|");
    return have.indexOf(wanted) >= 0;
  }

  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var ok = names.every(function (name) { return matches(card, name, form.elements[name].value); });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    sections.forEach(function (s) { s.hidden = s.querySelector("article.rec:not([hidden])") === null; });
    status.textContent = shown === cards.length ? "Showing all " + cards.length + " recommendations." :
      "Showing " + shown + " of " + cards.length + " recommendations.";
  }

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
