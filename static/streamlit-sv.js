/* Klimatvägar: Swedish for the few texts Streamlit's own frontend writes in English
   (screen-reader labels, tooltips, placeholders, the file uploader, the skip link).
   asgi.py inlines this file into every page. It follows <html lang>, which the page's
   sync script keeps equal to the app's language, and puts the English back on a switch to
   English. Only exact strings from the table are touched, never app content or icon names. */
(function () {
  "use strict";
  var WORDS = {
    "App pages": "Appens sidor", "Clear all": "Rensa alla", "Clear value": "Rensa värdet",
    "Collapse sidebar": "Fäll ihop sidopanelen", "Expand sidebar": "Fäll ut sidopanelen",
    "Copy to clipboard": "Kopiera", "Decrement": "Minska", "Increment": "Öka",
    "Fullscreen": "Helskärm", "Close fullscreen": "Stäng helskärm", "Exit fullscreen": "Stäng helskärm",
    "Link to heading": "Länk till rubriken", "Main menu": "Huvudmeny", "Open": "Öppna listan", "Close": "Stäng",
    "Search": "Sök", "Selected values": "Valda värden", "Show data": "Visa data", "Hide data": "Dölj data",
    "Show password": "Visa lösenord", "Hide password": "Dölj lösenord", "Sidebar": "Sidopanel",
    "Copy Vega-Lite spec": "Kopiera Vega-Lite-specifikationen", "Download as PNG": "Ladda ner som PNG",
    "Download as SVG": "Ladda ner som SVG", "Download as CSV": "Ladda ner som CSV",
    "file upload": "filuppladdning", "Upload": "Ladda upp", "Browse files": "Välj fil",
    "Drag and drop file here": "Dra och släpp filen här", "Drag and drop files here": "Dra och släpp filerna här",
    "Remove file": "Ta bort filen", "Delete": "Ta bort", "Show/hide columns": "Visa/dölj kolumner",
    "Download as CSV file": "Ladda ner som CSV-fil", "Search table": "Sök i tabellen",
    "Choose an option": "Välj ett alternativ", "Choose options": "Välj alternativ", "No results": "Inga träffar",
    "Skip to main content": "Hoppa till huvudinnehållet", "Running...": "Räknar …", "Stop": "Stoppa"
  };
  var PREFIXES = [["Help for ", "Hjälp om "], ["Remove ", "Ta bort "]];
  var ATTRS = ["aria-label", "title", "placeholder"];
  var TEXT_HOSTS = "button, label, small, span, a, p, div";

  function swedish(s) {
    if (Object.prototype.hasOwnProperty.call(WORDS, s)) return WORDS[s];
    for (var i = 0; i < PREFIXES.length; i++) {
      if (s.indexOf(PREFIXES[i][0]) === 0) return PREFIXES[i][1] + s.slice(PREFIXES[i][0].length);
    }
    return null;
  }
  function sv() { return document.documentElement.lang !== "en"; }
  // Remember each original (English) value, so a switch to English can put it back.
  function fixAttr(el, a) {
    var v = el.getAttribute(a);
    if (!v) return;
    var o = "kvO" + a, t = "kvT" + a;
    if (el[o] === undefined || v !== el[t]) el[o] = v;
    var out = sv() ? (swedish(el[o]) || el[o]) : el[o];
    el[t] = out;
    if (v !== out) el.setAttribute(a, out);
  }
  function fixText(node) {
    var p = node.parentElement;
    if (!p || p.closest("[data-testid=stIconMaterial], svg, code")) return;
    // App text (markdown) is already in the user's language; only Streamlit's own button inside
    // the file uploader renders its English label as markdown.
    if (p.closest("[data-testid=stMarkdownContainer]") && !p.closest("[data-testid=stFileUploader] button")) return;
    var v = node.nodeValue, s = v.trim();
    if (!s) return;
    if (node.kvO === undefined || v !== node.kvT) node.kvO = v;
    var base = node.kvO.trim(), tr = sv() ? swedish(base) : null;
    var out = tr ? node.kvO.replace(base, tr) : node.kvO;
    node.kvT = out;
    if (v !== out) node.nodeValue = out;
  }
  function fixTree(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) return;
    for (var i = 0; i < ATTRS.length; i++) if (root.hasAttribute(ATTRS[i])) fixAttr(root, ATTRS[i]);
    var els = root.querySelectorAll("[aria-label], [title], [placeholder]");
    for (var j = 0; j < els.length; j++) for (var k = 0; k < ATTRS.length; k++) {
      if (els[j].hasAttribute(ATTRS[k])) fixAttr(els[j], ATTRS[k]);
    }
    if (root.matches && !root.matches(TEXT_HOSTS) && !root.querySelector(TEXT_HOSTS)) return;
    var w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), n;
    while ((n = w.nextNode())) if (n.nodeValue.length < 60) fixText(n);
  }
  function start() {
    fixTree(document.body);
    new MutationObserver(function (list) {
      for (var i = 0; i < list.length; i++) {
        var m = list[i];
        if (m.type === "attributes") fixAttr(m.target, m.attributeName);
        else if (m.type === "characterData") fixText(m.target);
        else for (var j = 0; j < m.addedNodes.length; j++) fixTree(m.addedNodes[j]);
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ATTRS});
    new MutationObserver(function () { fixTree(document.body); })
      .observe(document.documentElement, {attributes: true, attributeFilter: ["lang"]});
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
