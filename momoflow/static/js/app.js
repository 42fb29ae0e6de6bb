// MomoFlow's own behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  var TOAST_MILLISECONDS = 6000;

  function dismiss(toast) {
    toast.classList.add("toast--leaving");
    setTimeout(function () { toast.remove(); }, 200);
  }

  function arm(root) {
    (root || document).querySelectorAll(".toast:not([data-armed])").forEach(function (toast) {
      toast.setAttribute("data-armed", "");
      setTimeout(function () { dismiss(toast); }, TOAST_MILLISECONDS);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".toast__close");
    if (button) { dismiss(button.closest(".toast")); }
  });

  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  // Toasts that arrive in htmx responses (out-of-band swaps) get the same treatment.
  document.addEventListener("htmx:afterSettle", function () { arm(document); });
})();
