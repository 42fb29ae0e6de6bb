// MomoFlow's own behaviour. No inline script anywhere: the CSP forbids it.
// Everything works by event delegation and data-attributes, so content swapped in by
// htmx behaves like content that came with the page.
(function () {
  "use strict";

  var TOAST_MILLISECONDS = 6000;
  var COUNTDOWN_MILLISECONDS = 30000;

  // --- toasts ------------------------------------------------------------------------

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

  function showToast(message, category) {
    var region = document.getElementById("toasts");
    if (!region) { return; }
    var toast = document.createElement("div");
    toast.className = "toast toast--" + (category || "info");
    toast.setAttribute("role", category === "error" ? "alert" : "status");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", "Dismiss notification");
    close.textContent = "\u00d7";
    toast.appendChild(text);
    toast.appendChild(close);
    region.appendChild(toast);
    arm(region);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".toast__close");
    if (button) { dismiss(button.closest(".toast")); }
  });

  // The server names the problem in an HX-Trigger event when it can (errors.py)…
  document.addEventListener("momoflow:error", function (event) {
    showToast(event.detail && event.detail.value || "Something went wrong. Please try again.", "error");
  });

  // …otherwise say what the status means. Either way the page stays as it was.
  var STATUS_MESSAGES = {
    0: "Could not reach MomoFlow. Check your connection and try again.",
    400: "Your session may have expired. Reload the page and try again.",
    403: "You are not allowed to do that.",
    404: "That no longer exists, or you cannot see it.",
    413: "That upload is too large.",
    429: "Too many attempts. Wait a minute and try again."
  };
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if ((xhr.getResponseHeader("HX-Trigger") || "").indexOf("momoflow:error") !== -1) { return; }
    showToast(STATUS_MESSAGES[xhr.status] || "Something went wrong on our side. Please try again.", "error");
  });
  document.addEventListener("htmx:sendError", function () { showToast(STATUS_MESSAGES[0], "error"); });

  // --- times and countdowns (words as in momoflow/templating.py) -------------------

  function durationText(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days >= 7) { return days + " days"; }
    if (days) { return days + "d " + hours + "h"; }
    if (hours) { return hours + "h " + minutes + "m"; }
    return minutes ? minutes + "m" : "less than a minute";
  }

  function refreshCountdowns(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-countdown]").forEach(function (time) {
      var seconds = (Date.parse(time.getAttribute("datetime")) - now) / 1000;
      if (isNaN(seconds)) { return; }
      var overdue = seconds < 0;
      time.textContent = (overdue ? "overdue by " : "due in ") + durationText(seconds);
      time.classList.toggle("countdown--overdue", overdue);
    });
  }

  function localiseTimes(root) {
    (root || document).querySelectorAll("time[data-local]:not([data-localised])").forEach(function (time) {
      var moment = new Date(time.getAttribute("datetime"));
      if (isNaN(moment.getTime())) { return; }
      time.textContent = moment.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      time.setAttribute("data-localised", "");
    });
  }

  // --- rows you add, remove and reorder (new request: levels, spectators) -----------

  function rowsOf(list) {
    return Array.prototype.filter.call(list.children, function (child) { return child.hasAttribute("data-row"); });
  }

  function setUnavailable(button, unavailable) {
    // disabled, so a button that cannot apply (↑ on the first row, Remove on the only one)
    // takes no tab stop; the click handler moves focus on if it was the focused one.
    if (button) { button.disabled = unavailable; }
  }

  function keepFocusIn(row, button) {
    if (!button.disabled) { button.focus(); return; }  // moving a node drops its focus
    var other = row.querySelector("[data-row-action]:not(:disabled)");
    if (other) { other.focus(); } else { focusFirstField(row); }
  }

  function refreshRows(list) {
    var rows = rowsOf(list);
    var min = Number(list.getAttribute("data-min") || 0);
    var max = Number(list.getAttribute("data-max") || Infinity);
    // A list inside a row (a level's approvers) numbers its own rows with its own attribute.
    var numberAttr = list.getAttribute("data-number-attr") || "data-row-number";
    var first = Number(list.getAttribute("data-first-number") || 1);  // levels from a returned request's resume level
    rows.forEach(function (row, index) {
      row.querySelectorAll("[" + numberAttr + "]").forEach(function (number) { number.textContent = index + first; });
      row.querySelectorAll("[data-approver-suffix]").forEach(function (suffix) {
        // "Approver email", "Approver 2 email"…: only the approver's own row numbers it.
        if (suffix.closest("[data-row]") === row) { suffix.textContent = index ? " " + (index + 1) : ""; }
      });
      setUnavailable(row.querySelector('[data-row-action="up"]'), index === 0);
      setUnavailable(row.querySelector('[data-row-action="down"]'), index === rows.length - 1);
      setUnavailable(row.querySelector('[data-row-action="remove"]'), rows.length <= min);
    });
    var add = document.querySelector('[data-add-row="' + list.id + '"]');
    if (add) { add.disabled = rows.length >= max; }
    var note = document.querySelector('[data-limit-note="' + list.id + '"]');
    if (note) { note.hidden = rows.length < max; }
    var owner = list.parentElement && list.parentElement.closest("[data-row]");
    if (owner) { refreshRule(owner); }
  }

  // A level's rule (any, all, at least N; what a rejection does) matters once it has
  // two approvers or more.
  function refreshRule(levelRow) {
    var approvers = levelRow.querySelectorAll("[data-approver-input]").length;
    var rule = levelRow.querySelector("[data-rule]");
    if (rule) { rule.hidden = approvers < 2; }
    var count = levelRow.querySelector("[data-quorum-count]");
    if (count) { count.max = Math.max(approvers, 1); }
  }

  function announce(message) {
    var status = document.getElementById("rows-status");
    if (status) { status.textContent = message; }
  }

  function focusFirstField(row) {
    var field = row && row.querySelector("input:not([type=hidden]), select, textarea");
    if (field) { field.focus(); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-row-action]");
    if (!button || button.disabled) { return; }
    var row = button.closest("[data-row]");
    var list = row.parentElement;
    var noun = list.getAttribute("data-noun") || "Row";
    var action = button.getAttribute("data-row-action");
    if (action === "remove") {
      var next = row.nextElementSibling || row.previousElementSibling;
      var number = rowsOf(list).indexOf(row) + 1;
      row.remove();
      refreshRows(list);
      announce(noun + " " + number + " removed.");
      if (next) { focusFirstField(next); } else { document.querySelector('[data-add-row="' + list.id + '"]').focus(); }
      return;
    }
    if (action === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    refreshRows(list);
    keepFocusIn(row, button);
    announce(noun + " moved to position " + (rowsOf(list).indexOf(row) + 1) + ".");
  });

  // Never ask for a row past the limit, even on a quick double click.
  document.addEventListener("htmx:confirm", function (event) {
    var listId = event.detail.elt.getAttribute("data-add-row");
    if (!listId) { return; }
    var list = document.getElementById(listId);
    if (rowsOf(list).length >= Number(list.getAttribute("data-max") || Infinity)) { event.preventDefault(); }
  });

  // --- focus after htmx swaps -------------------------------------------------------

  var focusAfterSwap = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-removable") && event.detail.shouldSwap
        && event.detail.serverResponse.indexOf('id="' + target.id + '"') === -1) {
      // The item leaves (decided in place): focus goes to its neighbour, else the heading.
      var neighbour = target.nextElementSibling || target.previousElementSibling;
      focusAfterSwap = (neighbour && neighbour.querySelector("a")) || document.querySelector("#main h1");
    }
    var loadMore = target && target.querySelector("[data-load-more]");
    if (loadMore) {
      var list = document.getElementById(loadMore.getAttribute("data-load-more"));
      focusAfterSwap = { list: list, index: list.children.length };
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-rows")) {
      refreshRows(target);
      var outer = target.parentElement.closest("[data-rows]");
      if (outer) { refreshRows(outer); }  // an approver added in a level: it shows the level's number
      target.querySelectorAll("[data-rows]").forEach(refreshRows);  // a level added: its approvers
      var rows = rowsOf(target);
      focusFirstField(rows[rows.length - 1]);
      announce((target.getAttribute("data-noun") || "Row") + " " + rows.length + " added.");
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (focusAfterSwap && focusAfterSwap.list) {
      var first = focusAfterSwap.list.children[focusAfterSwap.index];
      if (first && first.querySelector("a")) { first.querySelector("a").focus(); }
    } else if (focusAfterSwap) {
      if (!focusAfterSwap.hasAttribute("tabindex") && focusAfterSwap.tagName === "H1") {
        focusAfterSwap.setAttribute("tabindex", "-1");
      }
      focusAfterSwap.focus();
    }
    focusAfterSwap = null;
    refreshEmptyStates();
    refreshBulkSelection();
    arm(document);
  });

  // New content: a form that came back with problems focuses its first one.
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    if (root === document.body) { return; }
    localiseTimes(root);
    var target = root.matches("[data-focus-on-swap]") ? root : root.querySelector("[data-focus-on-swap], [aria-invalid='true']");
    if (target && root.matches("form[data-focus-on-swap]")) { target = root.querySelector("textarea, input:not([type=hidden])"); }
    if (target) { target.focus(); }
  });

  // A template's form: the title a request gets when left blank follows what is typed.
  // Each preview answer carries it (data-default-title); the title input is not swapped,
  // as someone may be typing in it.
  document.addEventListener("htmx:load", function (event) {
    var preview = event.detail.elt;
    if (!preview.matches || !preview.matches("[data-default-title]")) { return; }
    var text = preview.getAttribute("data-default-title");
    var title = document.getElementById("title"), named = document.getElementById("title-default");
    if (title) { title.placeholder = text; }
    if (named) { named.textContent = text; }
  });

  // A list emptied in place shows its empty state (the inbox after the last decision).
  function refreshEmptyStates() {
    document.querySelectorAll("[data-empty-state]").forEach(function (list) {
      var empty = document.getElementById(list.getAttribute("data-empty-state"));
      var more = document.querySelector("#load-more [data-load-more]");
      if (empty) { empty.hidden = list.children.length > 0 || Boolean(more); }
    });
  }

  // --- the inbox's bulk bar: "Select all on this page" and how many are ticked -------

  function bulkItems() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-item]"));
  }

  function refreshBulkSelection() {
    var all = document.querySelector("[data-select-all]");
    if (!all) { return; }
    var items = bulkItems();
    var ticked = items.filter(function (item) { return item.checked; }).length;
    all.closest("[data-select-all-wrap]").hidden = items.length === 0;  // it needs JavaScript
    all.checked = items.length > 0 && ticked === items.length;
    all.indeterminate = ticked > 0 && ticked < items.length;
    var count = document.querySelector("[data-selected-count]");
    if (count) {
      count.textContent = ticked ? ticked + " of " + items.length + " selected." : "None selected yet.";
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      var checked = event.target.checked;
      bulkItems().forEach(function (item) { item.checked = checked; });
    }
    if (event.target.matches("[data-select-all], input[data-bulk-item]")) { refreshBulkSelection(); }
  });

  // --- copy a value (a new API key) ------------------------------------------------

  function copyStatus(field, message) {
    var status = document.getElementById(field.id + "-status");
    if (status) { status.textContent = message; }
  }

  function selectForCopy(field) {
    // Without the clipboard API (plain HTTP, old browsers) the text is selected for Ctrl+C.
    var range = document.createRange();
    range.selectNodeContents(field);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    copyStatus(field, "Selected: press Ctrl+C (or \u2318C) to copy it.");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    if (!navigator.clipboard || !window.isSecureContext) { selectForCopy(field); return; }
    var label = button.textContent;
    navigator.clipboard.writeText(field.textContent.trim()).then(function () {
      button.textContent = "Copied";
      copyStatus(field, "Copied to the clipboard.");
      setTimeout(function () { button.textContent = label; }, 4000);
    }, function () { selectForCopy(field); });
  });

  // --- the Flows menu in the top bar (a <details>: it works without JS too) ---------

  function closeMenus(except) {
    document.querySelectorAll("details[data-navmenu][open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details[data-navmenu]"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = event.target.closest && event.target.closest("details[data-navmenu][open]");
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    }
  });

  // On a phone the menu is fixed (the sideways-scrolling navigation would clip it), so it
  // is placed under its toggle here. Setting style properties is CSSOM, which the CSP allows.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details[data-navmenu]") || !menu.open) { return; }
    var list = menu.querySelector(".navmenu__list");
    list.style.left = list.style.top = "";  // the stylesheet's place, unless fixed
    if (getComputedStyle(list).position !== "fixed") { return; }
    var toggle = menu.querySelector("summary").getBoundingClientRect();
    var room = document.documentElement.clientWidth - list.offsetWidth - 8;
    list.style.left = Math.max(8, Math.min(toggle.left, room)) + "px";
    list.style.top = toggle.bottom + 4 + "px";
  }, true);

  // A fixed menu would stay behind when what it hangs from scrolls away: close it.
  document.addEventListener("scroll", function () {
    document.querySelectorAll("details[data-navmenu][open]").forEach(function (menu) {
      var list = menu.querySelector(".navmenu__list");
      if (list && getComputedStyle(list).position === "fixed") { menu.removeAttribute("open"); }
    });
  }, { capture: true, passive: true });

  // On a phone the navigation scrolls sideways: bring where you are into view.
  function showCurrentNavItem() {
    var nav = document.querySelector(".mainnav");
    var current = nav && nav.querySelector(":scope > a[aria-current], .navmenu__toggle--here");
    if (!current || nav.scrollWidth <= nav.clientWidth) { return; }
    var item = current.getBoundingClientRect();
    var bar = nav.getBoundingClientRect();
    if (item.right > bar.right) { nav.scrollLeft += item.right - bar.right + 16; }
  }

  // --- a person found in the directory, added to a list of addresses ------------------
  // <input data-append-to="textarea id"> and <button data-append-from="input id">: the button,
  // or Enter in the input, adds the address on a line of its own (the form is not sent).

  function appendPerson(input) {
    var list = document.getElementById(input.getAttribute("data-append-to"));
    var address = input.value.trim();
    if (!list || !address) { return; }
    var lines = list.value.split(/[\s,;]+/).filter(Boolean);
    if (lines.indexOf(address) === -1) {
      list.value = list.value.replace(/\s*$/, "") + (list.value.trim() ? "\n" : "") + address;
    }
    input.value = "";
    input.focus();
    var status = document.getElementById(list.id + "-status");
    if (status) { status.textContent = address + " added"; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-append-from]");
    var input = button && document.getElementById(button.getAttribute("data-append-from"));
    if (input) { appendPerson(input); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-append-to]")) { return; }
    event.preventDefault();
    appendPerson(event.target);
  });

  // --- page load --------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    arm(document);
    localiseTimes(document);
    refreshCountdowns(document);
    setInterval(function () { refreshCountdowns(document); }, COUNTDOWN_MILLISECONDS);
    document.querySelectorAll("[data-rows]").forEach(refreshRows);
    showCurrentNavItem();
    refreshBulkSelection();
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  });
})();
