/* QC Portal, circles pages: member rows of the circle form, live progress of a bulk import.
   No inline scripts (Content Security Policy). */
(function () {
  "use strict";

  /* "添加一行": clone the last row of a Django formset (circle members, plan rows) and
     renumber its fields; the clone starts empty (a select on its "member" option when it has
     one, else its first; checkboxes unticked) and its [data-row-number] cell shows its number. */
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!body || !total) { return; }
    button.addEventListener("click", function () {
      var rows = body.querySelectorAll("[data-formset-row]");
      var last = rows[rows.length - 1];
      var index = parseInt(total.value, 10);
      var clone = last.cloneNode(true);
      var pattern = new RegExp(prefix + "-\\d+-", "g");
      clone.querySelectorAll("input, select").forEach(function (el) {
        ["name", "id"].forEach(function (attr) {
          if (el.getAttribute(attr)) { el.setAttribute(attr, el.getAttribute(attr).replace(pattern, prefix + "-" + index + "-")); }
        });
        if (el.tagName === "SELECT") {
          el.selectedIndex = 0;
          if (el.querySelector('option[value="member"]')) { el.value = "member"; }
        } else if (el.type === "checkbox") {
          el.checked = false;
        } else {
          el.value = "";
        }
        el.classList.remove("is-invalid");
      });
      clone.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      var number = clone.querySelector("[data-row-number]");
      if (number) { number.textContent = String(index + 1); }
      body.appendChild(clone);
      total.value = String(index + 1);
    });
  });

  /* Bulk import: poll the API while it is importing, then reload to show the result. */
  document.querySelectorAll(".import-status").forEach(function (el) {
    var bar = el.querySelector('[data-role="bar"]');
    bar.style.width = (el.dataset.progress || 0) + "%";
    function poll() {
      if (el.dataset.status !== "importing") { return; }
      fetch(el.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { window.setTimeout(poll, 3000); return; }
          bar.style.width = data.progress + "%";
          bar.textContent = data.progress + "%";
          if (data.status !== "importing") { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
