/*
 * Reader controls for the identity cards rendered by hooks/identities.py.
 *
 * - Layout switch: a control injected into Material's header (no template override) that shows
 *   every numerator/denominator identity in the reader's chosen layout. Both forms are in the
 *   HTML (the engine's conversion is verified at build time); this script only sets
 *   <html data-mc-layout="numerator|denominator"> and identities.css shows the matching one.
 *   The choice is kept in localStorage, so it survives reloads, visits and instant navigation.
 * - The verification badge opens and closes the evidence panel (aria-expanded); the panel's
 *   content is moved in from the <noscript> beside it (inert text while scripts run; what a
 *   reader without scripts sees instead) when it is first opened or printed.
 * - "Copy link" and "Copy LaTeX" put the identity's stable address (…/id/#<id>, a page the build
 *   writes that sends the reader on to the identity wherever it is; see matrixcheck/permalinks.py), or the
 *   LaTeX of the formula as currently shown, on the clipboard. The site's root is read once,
 *   from Material's configuration in the first page loaded (relative to that page: instant
 *   navigation changes the address but not the script).
 * - Tables in a .mc-sortable wrapper sort by any column.
 * - Before printing, collapsed proofs are opened, and while the page is laid out for print, a
 *   display formula wider than the printed card is scaled down to fit it (down to half its size):
 *   on paper nothing can scroll, and the rest of it would be cut off.
 * - A deep link (…/page/#id) is scrolled to again once MathJax has typeset the displayed formulas
 *   (window.matrixcheckTypeset.visible, see mathjax-config.js): typesetting changes the height of
 *   everything above the card, which would leave it out of view. A jump to another card of the
 *   page (a changed #id) is checked a frame later, and both once every formula is typeset: if the
 *   named card is out of view then (the theme or a late layout change moved the page; seen on a
 *   busy machine), it is brought back, unless the reader has scrolled, pressed a key or touched
 *   the page since.
 *
 * Material's instant navigation swaps the page content without a reload and emits on document$:
 * everything that touches page content runs again on each emission; clicks are delegated.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "matrixcheck.layout";
  var SITE_ROOT = siteRoot();
  var CHOICES = [
    ["as-written", "as written"],
    ["numerator", "numerator"],
    ["denominator", "denominator"],
  ];

  function siteRoot() {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function storedLayout() {
    try {
      var value = window.localStorage.getItem(STORAGE_KEY);
      return value === "numerator" || value === "denominator" ? value : "as-written";
    } catch (error) {
      return "as-written";
    }
  }

  function applyLayout(layout) {
    var root = document.documentElement;
    if (layout === "as-written") {
      root.removeAttribute("data-mc-layout");
    } else {
      root.setAttribute("data-mc-layout", layout);
    }
    var select = document.getElementById("mc-layout-select");
    if (select && select.value !== layout) {
      select.value = layout;
    }
  }

  function chooseLayout(layout) {
    try {
      window.localStorage.setItem(STORAGE_KEY, layout);
    } catch (error) {
      /* Storage may be disabled: the choice then lasts for this page only. */
    }
    applyLayout(layout);
  }

  function layoutControl() {
    var wrapper = document.createElement("div");
    wrapper.className = "md-header__option mc-layout-switch";
    var label = document.createElement("label");
    label.setAttribute("for", "mc-layout-select");
    label.className = "mc-layout-label";
    label.textContent = "Layout";
    var select = document.createElement("select");
    select.id = "mc-layout-select";
    select.title = "Show derivatives in numerator or denominator layout";
    CHOICES.forEach(function (choice) {
      var option = document.createElement("option");
      option.value = choice[0];
      option.textContent = choice[1];
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      chooseLayout(select.value);
    });
    wrapper.appendChild(label);
    wrapper.appendChild(select);
    return wrapper;
  }

  function ensureLayoutControl() {
    if (document.getElementById("mc-layout-select")) {
      return;
    }
    var header = document.querySelector(".md-header__inner");
    if (!header) {
      return;
    }
    var anchor = header.querySelector("form.md-header__option, .md-search, label[for=__search]");
    header.insertBefore(layoutControl(), anchor);
  }

  /* -- copying -------------------------------------------------------------------------------- */

  function visibleFormula(card) {
    var formulas = card.querySelectorAll(".identity-formula");
    for (var i = 0; i < formulas.length; i++) {
      if (formulas[i].getClientRects().length > 0) {
        return formulas[i];
      }
    }
    return formulas[0] || null;
  }

  function copyText(card, kind) {
    if (kind === "link") {
      return new URL("id/#" + card.getAttribute("data-identity"), SITE_ROOT).href;
    }
    var formula = visibleFormula(card);
    return formula ? formula.getAttribute("data-latex") : "";
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = document.execCommand("copy");
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function announce(button, message) {
    var live = document.getElementById("mc-live");
    if (!live) {
      live = document.createElement("div");
      live.id = "mc-live";
      live.className = "mc-visually-hidden";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = message;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = message;
    window.setTimeout(function () {
      button.textContent = label;
    }, 1500);
  }

  function onCopy(button) {
    var card = button.closest(".identity");
    if (!card) {
      return;
    }
    var kind = button.getAttribute("data-mc-copy");
    writeClipboard(copyText(card, kind)).then(
      function () {
        announce(button, kind === "link" ? "Link copied" : "LaTeX copied");
      },
      function () {
        announce(button, "Copy failed");
      }
    );
  }

  /* -- evidence ------------------------------------------------------------------------------- */

  function onEvidence(button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) {
      return;
    }
    var open = button.getAttribute("aria-expanded") !== "true";
    if (open) {
      fillEvidence(panel);
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.hidden = !open;
  }

  /* The panel's content waits in the <noscript> that follows it, until it is first shown: the
     inner HTML of the panel written there for readers without scripts. */
  function fillEvidence(panel) {
    var source = panel.nextElementSibling;
    if (source && source.matches("noscript[data-mc-evidence]")) {
      var written = document.createElement("div");
      written.innerHTML = source.textContent;
      panel.innerHTML = written.firstElementChild.innerHTML;
      source.remove();
    }
  }

  /* -- sortable tables ------------------------------------------------------------------------ */

  var NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function compareCells(a, b) {
    if (a === b) {
      return 0;
    }
    if (a === "") {
      return 1;
    }
    if (b === "") {
      return -1;
    }
    if (NUMBER.test(a) && NUMBER.test(b)) {
      return parseFloat(a) - parseFloat(b);
    }
    return collator.compare(a, b);
  }

  function sortTable(table, column, header) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (first, second) {
      var a = first.cells[column].textContent.trim();
      var b = second.cells[column].textContent.trim();
      var order = compareCells(a, b);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  function makeSortable() {
    document.querySelectorAll(".mc-sortable table").forEach(function (table) {
      if (table.getAttribute("data-mc-sortable") === "yes" || !table.tHead) {
        return;
      }
      table.setAttribute("data-mc-sortable", "yes");
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "mc-sort";
        button.textContent = th.textContent;
        button.setAttribute("aria-label", "Sort by " + th.textContent);
        button.addEventListener("click", function () {
          sortTable(table, column, th);
        });
        th.textContent = "";
        th.appendChild(button);
      });
    });
  }

  /* -- wiring --------------------------------------------------------------------------------- */

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var copy = target && target.closest("[data-mc-copy]");
    if (copy) {
      onCopy(copy);
      return;
    }
    var evidence = target && target.closest(".badge-verified[aria-controls]");
    if (evidence) {
      onEvidence(evidence);
    }
  });

  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY) {
      applyLayout(storedLayout());
    }
  });

  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".identity-evidence").forEach(fillEvidence);
    opened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    opened.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
  });

  /* Print layout: each display formula wider than its box is set in a smaller font, which
   * scales MathJax's output (sized in em) as a whole; restored when the print layout ends. */
  var SMALLEST_PRINT_SCALE = 0.5;
  var scaled = [];

  function fitFormulasToPrint(print) {
    scaled.forEach(function (entry) {
      entry[0].style.fontSize = entry[1];
    });
    scaled = [];
    if (!print.matches) {
      return;
    }
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (container) {
      if (container.scrollWidth <= container.clientWidth + 1) {
        return;
      }
      var size = container.style.fontSize;
      var percent = size.slice(-1) === "%" ? parseFloat(size) : 100;
      scaled.push([container, size]);
      // Not every length in the output is in em: a second look takes up the few pixels left.
      var scale = 1;
      for (var look = 0; look < 3 && container.scrollWidth > container.clientWidth + 1; look++) {
        scale = Math.max(SMALLEST_PRINT_SCALE, (0.99 * scale * container.clientWidth) /
          container.scrollWidth);
        container.style.fontSize = (percent * scale).toFixed(1) + "%";
      }
    });
  }

  var printMedia = window.matchMedia("print");
  printMedia.addEventListener("change", fitFormulasToPrint);

  function onPage() {
    ensureLayoutControl();
    applyLayout(storedLayout());
    makeSortable();
  }

  function hashTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    return (id && document.getElementById(id)) || null;
  }

  function scrollToTarget() {
    var target = hashTarget();
    if (target) {
      target.scrollIntoView();
    }
  }

  /* The reader moved the page since the last jump: leave it where they put it. */
  var readerMoved = false;
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (kind) {
    window.addEventListener(kind, function () {
      readerMoved = true;
    }, { passive: true });
  });

  /* Brings the card the address names back into view if something moved it out. */
  function keepTarget() {
    var target = hashTarget();
    if (!target || readerMoved) {
      return;
    }
    var top = target.getBoundingClientRect().top;
    if (top < 0 || top >= window.innerHeight) {
      target.scrollIntoView();
    }
  }

  window.addEventListener("hashchange", function () {
    readerMoved = false;
    requestAnimationFrame(function () {
      requestAnimationFrame(keepTarget);
    });
    if (window.matrixcheckTypeset) {
      window.matrixcheckTypeset.all.then(keepTarget);
    }
  });

  if (window.matrixcheckTypeset) {
    window.matrixcheckTypeset.visible.then(scrollToTarget);
    window.matrixcheckTypeset.all.then(keepTarget);
  }

  applyLayout(storedLayout());
  if (typeof document$ !== "undefined") {
    document$.subscribe(onPage);
  } else {
    onPage();
  }
})();
