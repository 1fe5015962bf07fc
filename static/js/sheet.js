/* Score sheets (templates/evaluation/sheets/*): the running total of the item scores and the
   character counter of the assessment (seed 002 Annex 5: at most 300 characters). The server
   checks every value again; this only helps while typing. No inline script (CSP), no CDN. */
(function () {
  "use strict";

  function total(table) {
    var sum = 0;
    var any = false;
    table.querySelectorAll("[data-points]").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { sum += value; any = true; }
    });
    var out = table.querySelector("[data-running-total]");
    if (out) { out.textContent = any ? String(Math.round(sum * 100) / 100) : "—"; }
  }

  function counter(area) {
    var out = document.querySelector("[data-counter-for='" + area.id + "']");
    var max = parseInt(area.dataset.counter, 10);
    if (!out) { return; }
    out.textContent = String(area.value.length);
    out.classList.toggle("text-danger", area.value.length > max);
  }

  document.querySelectorAll("[data-sheet-form]").forEach(function (table) {
    total(table);
    table.addEventListener("input", function () { total(table); });
  });
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    counter(area);
    area.addEventListener("input", function () { counter(area); });
  });
}());
