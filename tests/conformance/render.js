// Renders CSL-JSON items with citeproc-js, the reference CSL processor, for the conformance suite.
//
// stdin: {"style": path to a .csl file, "locale": "en-GB" or null, "locales": folder of locales-xx-XX.xml,
//          "items": [CSL-JSON], "locators": [{"locator": "18", "label": "paragraph"}, ...]}
// stdout: {"<item id>": {"bibliography": html, "citations": [html per locator],
//                        "subsequent": [html per locator]}}
//
// Each item is registered alone, as Pinpoint cites one source at a time: no
// disambiguation or numbering across items.  "subsequent" is the citation in
// position "subsequent" (CSL 1.0.2 "position"), the short note of note styles.
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const POSITION_FIRST = 0;
const POSITION_SUBSEQUENT = 1;

function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const byId = new Map(request.items.map((item) => [String(item.id), item]));
  const sys = {
    retrieveLocale(lang) {
      const file = path.join(request.locales, `locales-${lang}.xml`);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
    retrieveItem(id) {
      return byId.get(String(id));
    },
  };
  const style = fs.readFileSync(request.style, "utf8");
  // The locale asked for (en-GB for Cite Them Right, which names none), else the style's own.
  const locale = request.locale || (style.match(/default-locale="([^"]+)"/) || [null, "en-US"])[1];
  const engine = new CSL.Engine(sys, style, locale, true);
  engine.setOutputFormat("html");
  if (request.together) {
    // A whole reference list at once: disambiguation (2020a/2020b) and numbering across items.
    // Citations are made with every item registered, so names are disambiguated across the list
    // (APA 8.20 initials, CSL "global name disambiguation").
    engine.updateItems([...byId.keys()]);
    const citations = [...byId.keys()].map((id) => engine.makeCitationCluster([{ id }]));
    process.stdout.write(JSON.stringify({ bibliography: engine.makeBibliography()[1], citations }));
    return;
  }
  const out = {};
  for (const id of byId.keys()) {
    engine.updateItems([id]);
    const cite = (loc, position) => engine.makeCitationCluster([{ id, position, ...loc }]);
    const bibliography = engine.bibliography ? engine.makeBibliography()[1].join("") : null;
    out[id] = {
      bibliography,
      citations: request.locators.map((loc) => cite(loc, POSITION_FIRST)),
      subsequent: request.locators.map((loc) => cite(loc, POSITION_SUBSEQUENT)),
    };
  }
  process.stdout.write(JSON.stringify(out));
}

main();
