// Load the Jupyter widget manager's own assets (fonts, chunks) from this site, not from a CDN,
// so saved widgets render with the network unplugged.
(function () {
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets-path\.js(\?.*)?$/, "") : "_static/";
  window.__jupyter_widgets_assets_path__ = base + "html-manager/";
})();
