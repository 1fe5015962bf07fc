/* The campaign panel of the homes (templates/reports/home/_campaign.html): keep the countdown
   to the next deadline current while the page stays open. The server renders the text; this
   recomputes the whole days left in Asia/Shanghai every ten minutes from data-deadline and the
   translated data-text-days ("{days}" placeholder) and data-text-today. After the deadline the
   text is left as it is (the next page load shows the next stage). No inline script (CSP). */
(function () {
  "use strict";

  function shanghaiToday() {
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
    return parts;  /* YYYY-MM-DD */
  }

  function utcDays(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / 86400000;
  }

  function refresh() {
    document.querySelectorAll("[data-testid=countdown][data-deadline]").forEach(function (el) {
      var days = utcDays(el.dataset.deadline) - utcDays(shanghaiToday());
      if (days < 0 || !el.dataset.textDays) { return; }
      if (days === 0) {
        el.textContent = el.dataset.textToday;
        el.classList.add("text-danger");
      } else {
        el.textContent = el.dataset.textDays.replace("{days}", String(days));
      }
    });
  }

  refresh();
  window.setInterval(refresh, 600000);
})();
