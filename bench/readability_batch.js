// readability_batch.js: Mozilla Readability (with jsdom) over every page of
// a folder in one Node.js process, for bench/run_extract.py.  Writes each
// page's text to OUT/<id>.txt (one line per block of article.content) and
// one JSON line of figures to stdout: CPU seconds (user + system, the
// machine is shared) spent in JSDOM + Readability, file reads excluded.
//
// usage: node readability_batch.js HTML_DIR OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { JSDOM } = require('jsdom');
const { Readability } = require('@mozilla/readability');

const [htmlDir, outDir] = process.argv.slice(2);
const BLOCKS = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'PRE',
  'BLOCKQUOTE', 'TD', 'TH', 'DT', 'DD', 'FIGCAPTION', 'DIV', 'SECTION', 'ARTICLE']);

function blocksText(node, out) {
  // One line per innermost block element, like the other tools.
  let line = '';
  const flush = () => { const t = line.replace(/\s+/g, ' ').trim(); if (t) out.push(t); line = ''; };
  const walk = (n) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) line += c.nodeValue;
      else if (c.nodeType === 1) {
        if (BLOCKS.has(c.tagName)) { flush(); walk(c); flush(); } else if (c.tagName === 'BR') { line += ' '; } else walk(c);
      }
    }
  };
  walk(node);
  flush();
}

const files = fs.readdirSync(htmlDir).filter((f) => f.endsWith('.html')).sort();
let seconds = 0, bytes = 0, failed = 0;
for (const f of files) {
  const html = fs.readFileSync(path.join(htmlDir, f));
  bytes += html.length;
  const t0 = process.cpuUsage();
  let text = '';
  try {
    const dom = new JSDOM(html, { url: 'https://example.com/' + f });
    const article = new Readability(dom.window.document).parse();
    if (article && article.content) {
      const frag = JSDOM.fragment(article.content);
      const out = [];
      blocksText(frag, out);
      text = out.join('\n');
    }
    dom.window.close();
  } catch (e) {
    failed++;
  }
  const dt = process.cpuUsage(t0);
  seconds += (dt.user + dt.system) / 1e6;
  fs.writeFileSync(path.join(outDir, f.replace(/\.html$/, '.txt')), text + '\n');
}
console.log(JSON.stringify({ pages: files.length, bytes, failed, seconds }));
