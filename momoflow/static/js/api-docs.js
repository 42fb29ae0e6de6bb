// The API reference page (/docs/api): Redoc (static/vendor/redoc-*) renders /openapi.json.
// Redoc's styled-components add <style> elements at run time; the page's CSP allows them
// only with this response's nonce, which Redoc copies onto each one (its `nonce` option).
// Our own <script> tag carries the nonce so it can be read here, never from the markup.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.getElementById("api-reference");
  if (!root || !window.Redoc) return;
  var header = document.querySelector(".topbar");
  window.Redoc.init(root.dataset.specUrl, {
    nonce: script.nonce,
    // Search runs in a Web Worker made from a blob: URL, which `script-src 'self'` refuses.
    disableSearch: true,
    expandResponses: "200,201",
    jsonSampleExpandLevel: 3,
    scrollYOffset: function () { return header ? header.getBoundingClientRect().bottom : 0; },
    theme: {
      colors: { primary: { main: "#4338ca" } },
      typography: {
        fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        headings: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
        code: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" }
      }
    }
  }, root);
})();
