/*
 * MathJax 3 configuration for pymdownx.arithmatex (generic mode) under Material for MkDocs, and
 * the order in which a page's formulas are typeset.
 * Must load before assets/mathjax/tex-mml-chtml.js (see extra_javascript in mkdocs.yml).
 *
 * - Only the \( \) and \[ \] spans/divs that arithmatex emits are typeset.
 * - "noundefined" is removed so an undefined \foo becomes a visible TeX error
 *   (<mjx-merror>) instead of silently red text. "boldsymbol", which nearly every formula uses,
 *   is loaded with MathJax instead of on first use, which would interrupt the first typesetting
 *   to fetch it (and make the synchronous typesetting before printing impossible).
 * - Displayed formulas first. MathJax does not typeset at startup; each page is typeset here in
 *   two passes: first every formula that is displayed, then the hidden ones (collapsed proofs,
 *   the formula of the layout not chosen, the closed evidence panel), so that opening a proof
 *   later finds it typeset. The background pass runs in steps, each a task of its own posted
 *   on a MessageChannel (input and rendering get their turn in between), of about SLICE ms of
 *   typesetting: as many formulas as fit, estimated from their TeX length at the speed of the
 *   MathJax calls so far (the first step at the displayed pass's). Waiting for idle time
 *   instead (requestIdleCallback) left the page idle for long stretches, and small chunks paid
 *   a frame each. A formula revealed before the background pass reaches it (a proof opened,
 *   the layout switched, the evidence shown: any change of the open, hidden or data-mc-layout
 *   attributes) is typeset at once. The printable page typesets everything straight away, and
 *   before printing any page everything left is typeset synchronously, so printed math is not
 *   raw TeX (unless MathJax is at that very moment waiting for a TeX extension to load: what it
 *   has not typeset is then typeset just after).
 * - The background pass typesets without measuring around its formulas (MathJax's getMetrics,
 *   in hidden containers, forced a style and layout update in every call): each gets the
 *   metrics MathJax would measure there, computed from its font size (read for all of them at
 *   once when the pass starts, just after the displayed formulas are rendered) and the page
 *   font's x-height, except the container's width, taken as unbounded as MathJax does where it
 *   cannot measure. The output is the same as with the measurement (compared on every formula
 *   of the site when this was written). Every other call measures as MathJax does.
 *   MathJax's context menu re-sorts every formula of the page for each one it adds; here it
 *   sorts once per call (as it already did when the call ends).
 * - The math is sized once for the page's text font (the ratio of its x-height to the TeX
 *   font's), the size MathJax's matchFontHeight gives it on this site's single text font,
 *   instead of measuring the text around the formulas at each typesetting: that measurement
 *   costs time and fails around a hidden formula, which then came out 5 % smaller.
 * - window.matrixcheckTypeset = {visible, all}: promises of the current page, resolved when
 *   every displayed formula, and then every formula, is typeset, with the time it happened
 *   (performance.now(): a script that asks later still learns when; for scripts and tests).
 * - Material's instant navigation swaps page content without a reload and emits on document$.
 *   The first emission is the initial page. On later emissions the caches and the TeX state
 *   (labels, macros) of the previous page are dropped before typesetting the new one, and the
 *   previous page's background pass stops. Every MathJax call runs in one queue, never two at
 *   once: two calls over the same formula would nest duplicate output.
 */
(function () {
  "use strict";

  var TEX_X_HEIGHT = 0.442; /* the x-height of MathJax's TeX font, in em */
  var xHeightRatio = 0; /* the page text font's, in em, once measured (0 if it cannot be) */

  window.MathJax = {
    tex: {
      inlineMath: [["\\(", "\\)"]],
      displayMath: [["\\[", "\\]"]],
      processEscapes: true,
      processEnvironments: true,
      packages: { "[+]": ["boldsymbol"], "[-]": ["noundefined"] },
    },
    loader: { load: ["[tex]/boldsymbol"] },
    options: {
      ignoreHtmlClass: ".*|",
      processHtmlClass: "arithmatex",
    },
    chtml: {
      matchFontHeight: false,
    },
    startup: {
      typeset: false,
      ready: function () {
        xHeightRatio = xHeight();
        MathJax.config.chtml.scale = xHeightRatio > 0 ? xHeightRatio / TEX_X_HEIGHT : 1;
        MathJax.startup.defaultReady();
        MathJax.startup.promise.then(onReady);
      },
    },
  };

  var queue = Promise.resolve();
  var busy = 0;
  var current = newPage();
  var ready = false;
  var emissions = 0;

  function newPage() {
    var page = { pending: null, stopped: false, fontSizes: null };
    var api = {};
    api.visible = new Promise(function (resolve) {
      page.visibleDone = resolve;
    });
    api.all = new Promise(function (resolve) {
      page.allDone = resolve;
    });
    page.api = api;
    return page;
  }

  /* Runs task (which may return a promise) after every earlier MathJax call has finished. */
  function enqueue(task) {
    busy += 1;
    queue = queue.then(task).then(
      function () {
        busy -= 1;
      },
      function (error) {
        busy -= 1;
        console.error("MathJax:", error);
      }
    );
    return queue;
  }

  function displayed(element) {
    if (element.checkVisibility) {
      return element.checkVisibility();
    }
    var closed = element.closest("details:not([open])");
    var summary = closed && closed.querySelector(":scope > summary");
    return element.getClientRects().length > 0 && (!closed || summary.contains(element));
  }

  /* The still untypeset formulas of page inside scope (an element or the document). */
  function pendingIn(page, scope, onlyDisplayed) {
    if (!page.pending || page.stopped) {
      return [];
    }
    var found = [];
    scope.querySelectorAll(".arithmatex").forEach(function (element) {
      if (page.pending.has(element) && (!onlyDisplayed || displayed(element))) {
        found.push(element);
      }
    });
    if (scope !== document && scope.classList && scope.classList.contains("arithmatex")) {
      if (page.pending.has(scope)) {
        found.push(scope);
      }
    }
    return found;
  }

  function take(page, elements) {
    var list = elements.filter(function (element) {
      return page.pending.delete(element);
    });
    return page.stopped ? [] : list;
  }

  var SLICE = 40; /* milliseconds of typesetting per background step */
  var FORMULA_COST = 40; /* what a formula costs beyond its TeX, in TeX characters */
  var msPerCost = 0.02; /* the typesetting speed: each call's, averaged with the ones before */
  var unmeasured = null; /* the fontSizes of the MathJax call under way, if any (see typeset) */

  /* The estimated cost of typesetting element, in TeX characters. */
  function cost(element) {
    return FORMULA_COST + element.textContent.length;
  }

  /*
   * Queues the typesetting of those of elements that are still pending on page. With fontSizes
   * (a Map from formula to its font size, in px), those it holds are not measured around.
   */
  function typeset(page, elements, fontSizes) {
    return enqueue(function () {
      var list = take(page, elements);
      if (!list.length) {
        return null;
      }
      var spent = list.reduce(function (sum, element) {
        return sum + cost(element);
      }, 0);
      var started = performance.now();
      var done;
      unmeasured = fontSizes || null;
      try {
        done = MathJax.typesetPromise(list);
      } finally {
        unmeasured = null;
      }
      return done.then(function () {
        msPerCost = (msPerCost + (performance.now() - started) / spent) / 2;
      });
    });
  }

  /* The first of list (at least one) that fit in one background step. */
  function slice(list) {
    var budget = SLICE / msPerCost;
    var spent = cost(list[0]);
    var end = 1;
    while (end < list.length && spent + cost(list[end]) <= budget) {
      spent += cost(list[end]);
      end += 1;
    }
    return list.slice(0, end);
  }

  var channel = new MessageChannel();
  var tasks = [];
  channel.port1.onmessage = function () {
    tasks.shift()();
  };

  /* Runs callback in a task of its own, after the tasks already queued (input, rendering). */
  function nextTask(callback) {
    tasks.push(callback);
    channel.port2.postMessage(null);
  }

  /* Typesets the still pending formulas of page in background steps, then resolves page.all. */
  function background(page) {
    nextTask(function () {
      var rest = pendingIn(page, document, false);
      if (!rest.length) {
        if (!page.stopped) {
          page.allDone(performance.now());
        }
        return;
      }
      if (!page.fontSizes) {
        page.fontSizes = new Map();
        rest.forEach(function (element) {
          page.fontSizes.set(element, parseFloat(getComputedStyle(element).fontSize));
        });
      }
      typeset(page, slice(rest), page.fontSizes).then(function () {
        background(page);
      });
    });
  }

  function everything(page) {
    typeset(page, pendingIn(page, document, false)).then(function () {
      page.allDone(performance.now());
    });
  }

  /* The x-height of the page text's font, in em (0 if it cannot be measured). */
  function xHeight() {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;width:60em;height:60ex";
    (document.querySelector(".md-typeset") || document.body).appendChild(probe);
    var box = probe.getBoundingClientRect();
    probe.remove();
    return box.width > 0 ? box.height / box.width : 0;
  }

  /* Typesets the page now in the document: displayed formulas, then the rest. */
  function start(page, first) {
    page.pending = new Set(document.querySelectorAll(".arithmatex"));
    enqueue(function () {
      if (!first) {
        MathJax.startup.output.clearCache();
        MathJax.typesetClear();
        MathJax.texReset();
      }
    });
    typeset(page, pendingIn(page, document, true)).then(function () {
      page.visibleDone(performance.now());
      if (document.querySelector(".print-page-title")) {
        everything(page);
      } else {
        background(page);
      }
    });
  }

  function onDocument() {
    emissions += 1;
    if (emissions > 1) {
      current.stopped = true;
      current = newPage();
      window.matrixcheckTypeset = current.api;
    }
    if (ready) {
      start(current, emissions === 1);
    }
  }

  window.matrixcheckTypeset = current.api;

  /* Gives the formulas of unmeasured their metrics without measuring around them (see top). */
  function measureOnlyInForeground() {
    var output = MathJax.startup.output;
    var measure = output.getMetrics;
    var METRICS = MathJax._.core.MathItem.STATE.METRICS;
    var ratio = xHeightRatio || output.options.exFactor;
    output.getMetrics = function (html) {
      if (unmeasured) {
        Array.from(html.math).forEach(function (math) {
          var em = math.state() < METRICS && unmeasured.get(math.start.node.parentNode);
          if (em) {
            var ex = Math.round(60 * em * ratio) / 60; /* as MathJax measures it: 60ex in px */
            math.setMetrics(em, ex, 1000000, 1000000, 1);
            math.state(METRICS);
          }
        });
      }
      return measure.call(this, html);
    };
  }

  /* Lets MathJax's context menu sort its formulas once per call, not for each one (see top). */
  function sortMenuOnce() {
    var store = MathJax.startup.document.menu && MathJax.startup.document.menu.menu.store;
    if (store) {
      store.insert = function (elements) {
        (elements instanceof HTMLElement ? [elements] : Array.from(elements)).forEach(
          function (element) {
            store.insertElement(element);
          }
        );
      };
    }
  }

  function onReady() {
    measureOnlyInForeground();
    sortMenuOnce();
    ready = true;
    if (emissions > 0) {
      start(current, emissions === 1);
    }
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      var scope = mutation.target === document.documentElement ? document : mutation.target;
      var revealed = pendingIn(current, scope, true);
      if (revealed.length) {
        typeset(current, revealed);
      }
    });
  }).observe(document.documentElement, {
    attributes: true,
    subtree: true,
    attributeFilter: ["open", "hidden", "data-mc-layout"],
  });

  window.addEventListener("beforeprint", function () {
    var rest = pendingIn(current, document, false);
    if (!ready || busy || !rest.length) {
      return;
    }
    take(current, rest);
    try {
      MathJax.typeset(rest);
    } catch (error) {
      if (!error.retry) {
        throw error;
      }
      enqueue(function () {
        return finishAfter(error.retry);
      });
    }
  });

  /* Completes a render that stopped to load a TeX extension (as MathJax.typesetPromise does). */
  function finishAfter(retry) {
    return retry.then(function () {
      try {
        MathJax.startup.document.render();
      } catch (error) {
        if (!error.retry) {
          throw error;
        }
        return finishAfter(error.retry);
      }
      return null;
    });
  }

  document$.subscribe(onDocument);
})();
