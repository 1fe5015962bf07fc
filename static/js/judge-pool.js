// Expert pool (专家库) judge form: the employer field searches organisations of the
// association's subtree by name or code and offers them in its datalist (issue 8 item 1).
(function () {
  "use strict";
  var input = document.getElementById("id_employer");
  var list = document.getElementById("employer-options");
  var timer;
  if (!input || !list) return;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(input.dataset.search + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (o) {
            var opt = document.createElement("option");
            opt.value = o.code;
            opt.label = o.name;
            opt.textContent = o.name;
            list.appendChild(opt);
          });
        });
    }, 250);
  });
})();
