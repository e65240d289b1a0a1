// Search with Pagefind in Material's search box (sites built by `runbook build`; see generator/site/search.py).
// Material's own search loads one index of the whole site into a worker and builds it before the first
// answer: seconds with thousands of runbooks. Pagefind's index comes in chunks, fetched for the words typed,
// from this site only. The dialog keeps Material's markup and styles: header box, result list, "N matching
// documents"; a result is a page, its matching sections (steps) below it.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("__config").textContent);
  var words = config.translations || {};
  var root = new URL(config.base.replace(/\/?$/, "/"), location.href);
  var pagefind = null;
  var latest = 0;
  var SHOWN = 10;
  var FIRST = 3;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          module.init();
          return module;
        });
      });
    }
    return pagefind;
  }

  function meta(text) {
    var element = document.querySelector(".md-search-result__meta");
    if (element) element.textContent = text;
  }

  function count(n) {
    if (n === 0) return words["search.result.none"] || "No matching documents";
    if (n === 1) return words["search.result.one"] || "1 matching document";
    return (words["search.result.other"] || "# matching documents").replace("#", n);
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // Pagefind's excerpts are HTML-escaped text with <mark> around the words found.
  function link(url, heading, title, excerpt, icon) {
    return '<a href="' + url + '" class="md-search-result__link" tabindex="-1">' +
      '<article class="md-search-result__article md-typeset">' +
      (icon ? '<div class="md-search-result__icon md-icon"></div>' : "") +
      "<" + heading + ">" + escapeText(title) + "</" + heading + ">" +
      (excerpt ? "<p>" + excerpt + "</p>" : "") + "</article></a>";
  }

  function sectionScore(section) {
    return (section.weighted_locations || []).reduce(function (total, place) {
      return total + (place.balanced_score || place.weight || 1);
    }, 0);
  }

  function render(pages) {
    var list = document.querySelector(".md-search-result__list");
    if (!list) return;
    list.innerHTML = pages.map(function (page) {
      // The three sections that match best (Pagefind lists them in page order): a step whose command holds
      // every word typed comes before a step that mentions one of them in passing.
      var sections = (page.sub_results || []).filter(function (s) { return s.url !== page.url; })
        .map(function (s, order) { return { s: s, order: order, score: sectionScore(s) }; })
        .sort(function (a, b) { return b.score - a.score || a.order - b.order; })
        .slice(0, 3).map(function (x) { return x.s; });
      var title = (page.meta && page.meta.title) || page.url;
      var tags = page.meta && page.meta.tags ? page.meta.tags.split(", ") : [];
      // As Material: the page's tags under its title; its own excerpt only when no section of it matched.
      var head = link(page.url, "h1", title, sections.length ? "" : page.excerpt, true);
      if (tags.length) {
        head = head.replace("</article>", '<nav class="md-tags">' + tags.map(function (tag) {
          return '<span class="md-tag">' + escapeText(tag) + "</span>";
        }).join("") + "</nav></article>");
      }
      return '<li class="md-search-result__item">' + head +
        sections.map(function (s) { return link(s.url, "h2", s.title, s.excerpt, false); }).join("") + "</li>";
    }).join("");
  }

  function search(query) {
    var ticket = ++latest;
    if (!query.trim()) {
      meta(words["search.result.placeholder"] || "Type to start searching");
      render([]);
      return;
    }
    load().then(function (module) {
      return module.debouncedSearch(query, {}, 0);
    }).then(function (found) {
      if (ticket !== latest || !found) return null;  // a later key already asked again
      // Each result's text is one more fetch: show the first three as soon as they are there, then the rest.
      var data = found.results.slice(0, SHOWN).map(function (r) { return r.data(); });
      return Promise.all(data.slice(0, FIRST)).then(function (pages) {
        if (ticket !== latest) return null;
        meta(count(found.results.length));
        render(pages);
        return Promise.all(data);
      }).then(function (pages) {
        if (pages && ticket === latest && pages.length > FIRST) render(pages);
      });
    });
  }

  function toggle(open) {
    var box = document.getElementById("__search");
    if (box && box.checked !== open) box.checked = open;
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input")) search(event.target.value);
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input")) {
      toggle(true);
      load();  // fetch Pagefind's entry point while the first word is typed
    }
  });
  document.addEventListener("reset", function (event) {
    if (event.target.matches && event.target.matches(".md-search__form")) search("");
  });
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches(".md-search__form")) return;
    event.preventDefault();  // Enter opens the first result, as in Material
    var first = document.querySelector(".md-search-result__link");
    if (first) location.href = first.href;
  });
  document.addEventListener("keydown", function (event) {
    var input = document.querySelector(".md-search__input");
    if (!input) return;
    var typing = /^(input|textarea|select)$/i.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "Escape" && document.getElementById("__search").checked) {
      toggle(false);
      input.blur();
    } else if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
      event.preventDefault();
      toggle(true);
      input.focus();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search" && !event.target.checked) {
      var input = document.querySelector(".md-search__input");
      if (input) input.blur();
    }
  });
  meta(words["search.result.placeholder"] || "Type to start searching");
  // Once the page is idle, Pagefind's entry point, its WebAssembly and the list of pages load (some 150 kB,
  // once per visit with instant navigation), so that the first word typed waits only for its own chunk.
  (window.requestIdleCallback || function (callback) { setTimeout(callback, 1000); })(function () { load(); });
})();
