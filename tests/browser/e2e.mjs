// End-to-end test of the site `pm build` writes, in the system's Chromium, opened from disk
// (file://) the way a reader opens a copied folder.
//
//   node tests/browser/e2e.mjs [SITE]
//
// Without SITE it builds the example archive (the repository root) into a temporary folder.
// It fails on any console error, page error, failed or outside request, or dialog. It loads
// one page of every kind the site has and searches in the UI, from disk and again from a
// local web server, then builds a copy of the example archive with a hostile postmortem
// added, checking that no script of it ever runs.
// Set PM to a built `pm` binary to skip `cargo run --release`.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 20_000;
const BUDGET = 300 * 1024;

// A word of one example postmortem, a team of it, and its page.
const EXAMPLE = {
  word: 'dispatcher',
  prefix: 'dispatch',
  identifier: 'apns-collapse-id',
  team: 'messaging',
  otherTeam: 'payments',
  page: 'postmortems/2026-04-09-duplicate-push-notifications.html',
};
const HOSTILE_ID = '2026-06-01-hostile-markup';
const HOSTILE_WORD = 'zanzibarquux';

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};
const check = (ok, message) => {
  if (!ok) fail(message);
  return ok;
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-e2e-'));

function pm(args) {
  const [command, prefix] = process.env.PM
    ? [process.env.PM, []]
    : ['cargo', ['run', '--release', '--locked', '--quiet', '--']];
  execFileSync(command, [...prefix, ...args], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
}

function build(archive, out) {
  pm(['--archive', archive, 'build', '--out', out]);
  return out;
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
function files(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory()
      ? files(path.join(dir, e.name), `${prefix}${e.name}/`)
      : [`${prefix}${e.name}`]))
    .sort();
}

/** One page of each kind: `index.html`, `search.html`…, `teams/index`, `teams/*`… */
function pageKinds(site) {
  const kinds = new Map();
  for (const file of files(site).filter((f) => f.endsWith('.html'))) {
    const parts = file.split('/');
    const kind = parts.length === 1 ? file
      : `${parts.slice(0, -1).join('/')}/${parts.at(-1) === 'index.html' ? 'index' : '*'}`;
    if (!kinds.has(kind)) kinds.set(kind, file);
  }
  return kinds;
}

/** Where a site is opened from: its folder, and the URL of its root (ending in `/`). */
const fromDisk = (dir) => ({ dir, base: pathToFileURL(dir).href.replace(/\/?$/, '/') });

/** Serves `dir` on a free local port, as a static host would. */
async function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
    '.json': 'application/json', '.xml': 'application/xml' };
  const server = http.createServer((request, response) => {
    // Browsers ask any host for an icon the site never names; the site has none.
    if (request.url === '/favicon.ico') return response.writeHead(204).end();
    const file = path.join(dir, decodeURIComponent(new URL(request.url, 'http://host').pathname));
    const inside = file.startsWith(dir + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile();
    response.writeHead(inside ? 200 : 404, {
      'content-type': `${types[path.extname(file)] || 'application/octet-stream'}; charset=utf-8`,
      'x-content-type-options': 'nosniff',
    });
    response.end(inside ? fs.readFileSync(file) : 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, site: { dir, base: `http://127.0.0.1:${server.address().port}/` } };
}

/** A page that reports every error, outside request and dialog as a failure. */
async function open(browser, label, site, requests = []) {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') fail(`${label}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(`${label}: page error: ${e.message}`));
  page.on('requestfailed', (r) => fail(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(site.base)) fail(`${label}: request outside the site: ${r.url()}`);
    requests.push(r.url());
  });
  page.on('dialog', async (d) => {
    fail(`${label}: a dialog opened: ${d.type()} ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  return page;
}

const at = (site, file) => `${site.base}${file}`;

/** Waits until the search for the URL's query `q` (and `team`) is shown. */
async function searched(page, q, team = '') {
  await page.waitForFunction(([q, team]) => {
    const params = new URLSearchParams(location.search);
    const status = document.getElementById('search-status');
    return (params.get('q') || '') === q && (params.get('team') || '') === team
      && status && status.dataset.state === 'done';
  }, [q, team], { timeout: WAIT });
}

/** The results on the page: href (relative to the site), title text, marks. */
async function results(page) {
  return page.$$eval('#search-results li', (items) => items.map((li) => ({
    href: li.querySelector('a')?.getAttribute('href') || '',
    title: li.querySelector('h2')?.textContent || '',
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  })));
}

const hasPage = (list, page) => list.find((r) => r.href.endsWith(`/${page}`));

/** Bytes of the site's files under search/ that `requests` asked for. */
function searchBytes(site, requests) {
  return [...new Set(requests.map((u) => u.split('?')[0]))]
    .filter((u) => u.startsWith(`${site.base}search/`))
    .reduce((sum, u) => sum + fs.statSync(path.join(site.dir, decodeURIComponent(u.slice(site.base.length)))).size, 0);
}

async function tour(browser, site) {
  const kinds = pageKinds(site.dir);
  for (const required of ['index.html', 'search.html', '404.html', 'postmortems/*', 'teams/index',
    'teams/*', 'services/index', 'services/*', 'actions/index', 'stats.html']) {
    check(kinds.has(required), `the site has no page of kind ${required}`);
  }
  for (const [kind, file] of kinds) {
    const page = await open(browser, file, site);
    await page.goto(at(site, file));
    if (file === 'search.html') await searched(page, '');
    check((await page.locator('main h1').count()) === 1, `${file}: no single <h1> in <main>`);
    console.log(`ok   ${kind.padEnd(18)} ${at(site, file)}`);
    await page.close();
  }
}

async function searchExample(browser, site) {
  const requests = [];
  const page = await open(browser, 'search', site, requests);
  await page.goto(at(site, 'search.html'));
  await page.locator('#search:not([hidden])').waitFor({ timeout: WAIT });
  await searched(page, '');

  // Type a word, then narrow by team in the UI.
  await page.locator('#search-q').pressSequentially(EXAMPLE.word, { delay: 15 });
  await searched(page, EXAMPLE.word);
  const afterWord = requests.length;
  await page.selectOption('select[name="team"]', EXAMPLE.team);
  await searched(page, EXAMPLE.word, EXAMPLE.team);
  let found = hasPage(await results(page), EXAMPLE.page);
  if (check(found, `searching "${EXAMPLE.word}" with team ${EXAMPLE.team} does not list ${EXAMPLE.page}`)) {
    check(found.marks.some((m) => m.toLowerCase().startsWith(EXAMPLE.word)),
      `"${EXAMPLE.word}" is not highlighted in its result: marks ${JSON.stringify(found.marks)}`);
  }
  const matchMs = Number(await page.locator('#search-status').getAttribute('data-match-ms'));
  check(matchMs <= 100, `matching took ${matchMs} ms`);
  console.log(`ok   search "${EXAMPLE.word}" team=${EXAMPLE.team}: found, highlighted; ${searchBytes(site, requests)} bytes of index, ${requests.length - afterWord} more requests for the filter`);

  // The back button takes the filter away again.
  await page.goBack();
  await searched(page, EXAMPLE.word);
  check(await page.inputValue('select[name="team"]') === '', 'back did not clear the team filter');
  check(hasPage(await results(page), EXAMPLE.page), 'back lost the results');

  // A shared URL shows the same search; a prefix, an identifier and another team.
  for (const [q, team, expected] of [
    [EXAMPLE.prefix, '', true],
    [EXAMPLE.identifier, '', true],
    [EXAMPLE.identifier.toUpperCase(), EXAMPLE.team, true],
    [`${EXAMPLE.word} ${EXAMPLE.prefix}`, '', true],
    [EXAMPLE.word, EXAMPLE.otherTeam, false],
    [`${EXAMPLE.word} nosuchwordanywhere`, '', false],
  ]) {
    const params = new URLSearchParams({ q, ...(team ? { team } : {}) });
    const before = requests.length;
    await page.goto(`${at(site, 'search.html')}?${params}`);
    await searched(page, q, team);
    const list = await results(page);
    check(Boolean(hasPage(list, EXAMPLE.page)) === expected,
      `?${params}: ${EXAMPLE.page} ${expected ? 'missing' : 'listed'}`);
    const bytes = searchBytes(site, requests.slice(before));
    check(bytes <= BUDGET, `?${params} fetched ${bytes} bytes`);
    console.log(`ok   ?${params}: ${list.length} results, ${bytes} bytes of index`);
  }
  await page.close();
}

const HOSTILE = `---
id: ${HOSTILE_ID}
title: "</title><script>alert(1)</script> ${HOSTILE_WORD}"
status: published
visibility: public
severity: SEV4
kind: incident
teams: [security]
services: [secrets-vault]
tags: [security]
summary: "<img src=x onerror=alert(1)> ${HOSTILE_WORD} <svg onload=alert(1)>"
started_at: 2026-06-01T10:00:00+02:00
resolved_at: 2026-06-01T11:00:00+02:00
trigger: bug
detection: internal
---

## Summary

${HOSTILE_WORD} <script>alert(1)</script> and <img src=x onerror=alert(1)>.

Links: [x](javascript:alert(1)) and [y](&#106;avascript:alert(1)) and <svg onload=alert(1)>.

## Impact

None; <b onmouseover=alert(1)>this</b> tests the renderer.

## Timeline

| Time | Event |
|---|---|
| 10:00 | <script>alert(1)</script> |

## Root cause and contributing factors

\`\`\`"><script>alert(1)</script>
<script>alert(1)</script>
\`\`\`
`;

async function hostile(browser) {
  const archive = path.join(tmp, 'hostile');
  fs.mkdirSync(archive);
  for (const entry of ['pm.yaml', 'postmortems', 'templates']) {
    if (fs.existsSync(path.join(repo, entry))) {
      fs.cpSync(path.join(repo, entry), path.join(archive, entry), { recursive: true });
    }
  }
  fs.mkdirSync(path.join(archive, 'postmortems', '2026'), { recursive: true });
  fs.writeFileSync(path.join(archive, 'postmortems', '2026', `${HOSTILE_ID}.md`), HOSTILE);
  const site = fromDisk(build(archive, path.join(tmp, 'hostile-site')));
  const file = `postmortems/${HOSTILE_ID}.html`;
  if (!check(fs.existsSync(path.join(site.dir, file)), `the hostile postmortem has no page ${file}`)) return;

  const page = await open(browser, 'hostile page', site);
  await page.goto(at(site, file));
  await page.waitForTimeout(300);
  const inline = await page.$$eval('script', (s) => s.filter((e) => !e.src || e.textContent.trim()).length);
  check(inline === 0, `${file}: ${inline} inline scripts`);
  const active = await page.$$eval('main [onerror], main [onload], main [onmouseover], main svg, main img[src="x"], main a[href^="javascript" i]',
    (e) => e.map((x) => x.outerHTML));
  check(active.length === 0, `${file}: active markup ${JSON.stringify(active)}`);
  await page.close();

  const search = await open(browser, 'hostile search', site);
  await search.goto(`${at(site, 'search.html')}?q=${HOSTILE_WORD}`);
  await searched(search, HOSTILE_WORD);
  await search.waitForTimeout(300);
  const found = hasPage(await results(search), file);
  if (check(found, `searching "${HOSTILE_WORD}" does not list the hostile postmortem`)) {
    check(found.title === `</title><script>alert(1)</script> ${HOSTILE_WORD}`,
      `the hostile title is not shown as text: ${JSON.stringify(found.title)}`);
    check(found.marks.includes(HOSTILE_WORD), `"${HOSTILE_WORD}" is not highlighted`);
  }
  const injected = await search.$$eval('#search-results img, #search-results svg, #search-results script',
    (e) => e.length);
  check(injected === 0, `search results hold ${injected} elements made from document text`);
  await search.close();
  console.log(`ok   hostile postmortem: its page and a search for it ran no script`);
}

let browser;
let served;
try {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : build(repo, path.join(tmp, 'site'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  console.log('from disk:');
  await tour(browser, fromDisk(dir));
  await searchExample(browser, fromDisk(dir));
  console.log('from a web server:');
  served = await serve(dir);
  await tour(browser, served.site);
  await searchExample(browser, served.site);
  await hostile(browser);
} catch (error) {
  fail(error.stack || String(error));
} finally {
  served?.server.close();
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`\n${failures.length} failure(s)`);
  process.exit(1);
}
console.log('\nbrowser test passed');
