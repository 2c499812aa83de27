// Loaded only on pages that show a saved widget (chapter 00), before RequireJS and the widget manager.
// 1. The widget manager's own assets (fonts, chunks) come from this site, not a CDN, so saved widgets
//    render with the network unplugged: RequireJS maps the manager's module names to the vendored copy,
//    which also fixes the base of its font URLs (the widgets' icon font is fetched once an icon shows).
// 2. The manager typesets widget labels through MathJax 2's MathJax.Hub.Queue; the site runs MathJax 3,
//    which has no Hub: a small shim forwards to MathJax 3's typesetPromise.
(function () {
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets-path\.js(\?.*)?$/, "") : "_static/";
  window.__jupyter_widgets_assets_path__ = base + "html-manager/";
  // The bundle defines named modules (@jupyter-widgets/base, controls, ...); each takes the folder of
  // its RequireJS URL as the base of its font URLs, so every @jupyter-widgets module maps there too.
  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": base + "html-manager",
      "@jupyter-widgets": base + "html-manager",
    },
  };
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (mathjax && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function () {
          if (mathjax.typesetPromise) { mathjax.typesetPromise(); }
        },
      };
    }
  });
})();
