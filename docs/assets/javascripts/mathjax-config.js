/*
 * MathJax 3 configuration for pymdownx.arithmatex (generic mode) under Material for MkDocs.
 * Must load before assets/mathjax/tex-mml-chtml.js (see extra_javascript in mkdocs.yml).
 *
 * - Only the \( \) and \[ \] spans/divs that arithmatex emits are typeset.
 * - "noundefined" is removed so an undefined \foo becomes a visible TeX error
 *   (<mjx-merror>) instead of silently red text.
 * - Material's instant navigation swaps page content without a reload and emits on document$.
 *   The first emission is the initial page, which MathJax typesets at startup by itself:
 *   typesetting it again nests duplicate output. On later emissions the caches and the TeX
 *   state (labels, macros) of the previous page are dropped before typesetting the new one.
 */
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["noundefined"] },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

(function () {
  let firstEmission = true;
  document$.subscribe(function () {
    if (firstEmission) {
      firstEmission = false;
      return;
    }
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  });
})();
