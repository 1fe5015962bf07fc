// API token page (templates/qcportal/token_form.html): the copy button next to the new key.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    input.select();
    var done = function () { button.textContent = button.dataset.copiedText; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
