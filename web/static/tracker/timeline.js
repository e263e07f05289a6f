// Stance timelines open on their dense period. Browsers with CSS scroll-initial-target do it
// from the stylesheet (site.css, .tl-focus); this does the same for the others (Firefox, Safari).
// A static file, so the strict CSP holds; without JavaScript the picture still scrolls by hand.
(function () {
  if (window.CSS && CSS.supports("scroll-initial-target", "nearest")) return;
  for (const focus of document.querySelectorAll(".tl-plot .tl-focus")) {
    const plot = focus.closest(".tl-plot");
    plot.scrollLeft += focus.getBoundingClientRect().left - plot.getBoundingClientRect().left;
  }
})();
