// How much of the search index a query loads, and how long matching takes, in the system's
// Chromium, on a site opened from disk:
//
//   node tests/browser/measure.mjs SITE 'q=timeout' 'q=timeout+replica' 'q=time' 'q=timeout&team=payments'
//
// Each argument is the query part of a search.html URL. The page is fresh each time, so the
// bytes count the whole index a reader's first search loads (search/index.js included; the
// 15 KB of search.js itself is not counted).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [siteArg, ...queries] = process.argv.slice(2);
if (!siteArg || queries.length === 0) {
  console.error('usage: node measure.mjs SITE QUERY...   (QUERY as in search.html?QUERY)');
  process.exit(2);
}
const site = path.resolve(siteArg);
const root = `${pathToFileURL(site).href}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  for (const query of queries) {
    const page = await browser.newPage();
    const requests = new Set();
    page.on('request', (r) => requests.add(r.url().split('?')[0]));
    page.on('pageerror', (e) => { failed = true; console.error(`page error: ${e.message}`); });
    const started = Date.now();
    await page.goto(`${root}search.html?${query}`);
    await page.waitForFunction(() => document.getElementById('search-status')?.dataset.state === 'done'
      || document.getElementById('search-status')?.dataset.state === 'error', null, { timeout: 60_000 });
    const elapsed = Date.now() - started;
    const status = page.locator('#search-status');
    const files = [...requests].filter((u) => u.startsWith(`${root}search/`));
    const bytes = files.reduce((sum, u) => sum + fs.statSync(fileURLToPath(u)).size, 0);
    const shards = files.filter((u) => u.includes('/search/t/')).length;
    const chunks = files.filter((u) => u.includes('/search/d/')).length;
    console.log(`${query.padEnd(32)} ${String(bytes).padStart(7)} bytes  (${shards} shards, ${chunks} chunks)`
      + `  match ${await status.getAttribute('data-match-ms')} ms, render ${await status.getAttribute('data-render-ms')} ms,`
      + ` ${elapsed} ms in all: ${await status.textContent()}`);
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
