// Embeds report their height to the host page, in the messages newsroom CMSs already handle:
// Pym.js (NPR) "pymxPYMx<id>xPYMxheightxPYMx<px>", and AMP amp-iframe's "embed-size" with the
// "amp" sentinel. The host snippet (see /oembed) listens for the plain {"tracker-embed-height"}.
(function () {
  const params = new URLSearchParams(window.location.search);
  const pymId = params.get("childId") || window.name || "tracker";
  let last = 0;
  function report() {
    // The body's own height (as Pym.js measures it), not the viewport-sized <html> box.
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    const parent = window.parent;
    if (!parent || parent === window) return;
    parent.postMessage("pymxPYMx" + pymId + "xPYMxheightxPYMx" + height, "*");
    parent.postMessage({ sentinel: "amp", type: "embed-size", height: height }, "*");
    parent.postMessage({ "tracker-embed-height": height, href: window.location.href }, "*");
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  report();
})();
