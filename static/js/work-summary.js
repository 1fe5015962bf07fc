/* Work-summary editor: live character count (no inline scripts: Content Security Policy).
   Counts as the server does (reports.worksummary.count_characters, seed 002 附件2 “字数3000字以上”):
   every character that is not whitespace counts one — Chinese characters, letters, digits and
   punctuation alike; spaces, tabs, line breaks and the full-width space count nothing. */
(function () {
  "use strict";

  /* exactly the characters of Python's str.isspace() (JavaScript's \s would also skip U+FEFF) */
  var WHITESPACE = /[\t\n\v\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

  function count(text) {
    var n = 0;
    for (var ch of text) {  /* iterates by code point: a character outside the BMP counts one */
      if (!WHITESPACE.test(ch)) { n += 1; }
    }
    return n;
  }

  document.querySelectorAll("form.work-summary").forEach(function (form) {
    var minimum = parseInt(form.dataset.minimum || "0", 10);
    var total = form.querySelector('[data-role="summary-count"]');
    var state = form.querySelector('[data-role="summary-state"]');
    var areas = form.querySelectorAll("textarea.summary-point");

    function refresh() {
      var sum = 0;
      areas.forEach(function (area) {
        var n = count(area.value);
        sum += n;
        var own = area.parentElement.querySelector('[data-role="point-count"]');
        if (own) { own.textContent = String(n); }
      });
      total.textContent = String(sum);
      var ok = sum >= minimum;
      state.textContent = ok ? state.dataset.ok : state.dataset.short;
      state.classList.toggle("text-bg-success", ok);
      state.classList.toggle("text-bg-warning", !ok);
    }

    areas.forEach(function (area) { area.addEventListener("input", refresh); });
    refresh();
  });
})();
