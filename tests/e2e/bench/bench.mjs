// The browser half of `cargo xtask bench`: drives the release build of mailsetup, the Leptos
// floor page and the vanilla-JavaScript page in headless Chromium, several rounds each, and
// writes every raw sample to MAILSETUP_BENCH_RAW. xtask computes medians, ratios and targets.
//
// Not a Playwright test (the suite's testDir is ./specs): timings never pass or fail anything.
// Timings are taken inside the page (event.timeStamp and performance.now() share one clock), so
// the time Playwright needs to talk to the browser is not counted.
import { chromium } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask bench\``);
  return value;
};
const BASE = env('MAILSETUP_BENCH_BASE_URL');
const BOOK = fs.readFileSync(env('MAILSETUP_BENCH_BOOK'), 'utf8');
const RAW_OUT = env('MAILSETUP_BENCH_RAW');
const DIST = { mailsetup: env('MAILSETUP_BENCH_DIST'), floor: env('MAILSETUP_BENCH_FLOOR_DIST') };
const ROUNDS = Number(process.env.MAILSETUP_BENCH_ROUNDS ?? 5);
const COLD_STARTS_PER_ROUND = 3;
const SETTINGS_KEY = 'mailsetup:settings';
const READY_MARK = 'mailsetup:ready';
const PAGES = {
  mailsetup: new URL('./', BASE).href,
  floor: new URL('floor/', BASE).href,
  vanilla: new URL('vanilla/', BASE).href,
  // A portal's page with the <mail-setup> element (the npm package), for its first visit.
  portal: new URL('hosts/element.html', BASE).href,
};
// The reference server with the same book, when xtask started one: its own page signs in and
// mounts the component in REST mode.
const REST_URL = process.env.MAILSETUP_BENCH_REST_URL;
const REST_TOKEN = process.env.MAILSETUP_BENCH_REST_TOKEN;
// 50 keystrokes: words typed and erased letter by letter, so the table shrinks and grows again;
// the filter is empty at the end.
const KEYSTROKES = ['acme-0', 'mailhost', 'wonka-1', '.pl', 'x'].flatMap((word) => [
  ...word,
  ...Array.from(word, () => 'Backspace'),
]);
if (KEYSTROKES.length !== 50) throw new Error(`${KEYSTROKES.length} keystrokes, not 50`);

// Installed before any page script: records when the stored book is read, what the page held
// at the ready mark, the wasm module's memory, and the in-page timings of inputs and clicks.
function instrument() {
  const bench = (window.__bench = {
    inputs: [], actions: [], rowsAtReady: null, loadStart: null, memory: null, resourcesAtReady: null, firstRowAt: null,
    fetchedBeforeReady: [],
  });
  // A module fetched and run in one go can set the ready mark before the browser files its
  // resource timing entry: what `fetch` was asked before the mark counts too.
  const fetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    if (bench.rowsAtReady === null) {
      bench.fetchedBeforeReady.push(new URL(input instanceof Request ? input.url : String(input), location.href).href);
    }
    return fetch(input, init);
  };
  const rows = () => document.querySelectorAll('[data-testid="domain-row"]').length;
  const getItem = Storage.prototype.getItem;
  Storage.prototype.getItem = function (key) {
    if (key === 'mailsetup:settings' && bench.loadStart === null) bench.loadStart = performance.now();
    return getItem.call(this, key);
  };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === 'mailsetup:ready' && bench.rowsAtReady === null) {
      bench.rowsAtReady = rows();
      // What the page fetched to get here: a prefetch after the ready mark is not the first
      // visit's.
      bench.resourcesAtReady = performance.getEntriesByType('resource').map((entry) => entry.name);
    }
    return mark(name, options);
  };
  // When the first row of the table appears (REST mode: after the list arrives).
  new MutationObserver((_, observer) => {
    if (bench.firstRowAt === null && rows() > 0) {
      bench.firstRowAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result && result.instance;
    if (instance && instance.exports.memory instanceof WebAssembly.Memory) bench.memory = instance.exports.memory;
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (original) WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
  // After every microtask the event caused (Leptos runs its effects in microtasks), force
  // style and layout: that is "the table is updated". Then wait for the next frame too.
  const afterUpdate = (start, record) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      void document.body.offsetHeight;
      const settled = performance.now() - start;
      requestAnimationFrame(() => record({ settled, frame: performance.now() - start, rows: rows() }));
    };
    channel.port2.postMessage(null);
  };
  window.addEventListener('input', (event) => {
    afterUpdate(event.timeStamp, (sample) => bench.inputs.push(sample));
  }, { capture: true });
  // A click "is done" when `done()` holds, checked after each task until it does.
  bench.armClick = (kind) => {
    const done = kind === 'open'
      ? () => document.querySelector('dialog[open]') !== null
      : () => document.querySelector('dialog[open]') === null
        && [...document.querySelectorAll('[role="status"]')].some((n) => n.textContent.includes('saved'));
    window.addEventListener('click', (event) => {
      const start = event.timeStamp;
      const check = () => {
        if (!done()) { setTimeout(check, 0); return; }
        void document.body.offsetHeight;
        bench.actions.push({ kind, ms: performance.now() - start, rows: rows() });
      };
      const channel = new MessageChannel();
      channel.port1.onmessage = check;
      channel.port2.postMessage(null);
    }, { capture: true, once: true });
  };
}

async function waitForReady(page) {
  await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, READY_MARK, { timeout: 60_000 });
  return page.evaluate((name) => performance.getEntriesByName(name)[0].startTime, READY_MARK);
}

async function memory(page, cdp) {
  // Settle, then collect garbage so the heap holds what the page keeps, not what it dropped.
  await page.waitForTimeout(300);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => (window.__bench.memory ? window.__bench.memory.buffer.byteLength : 0));
  return { jsHeap: usedSize, wasm };
}

const series = {};
const add = (name, value) => (series[name] ??= []).push(value);
const keystrokes = { mailsetup: [], vanilla: [] };
const firstVisit = {};

function compressed(bytes) {
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

function filesOf(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const relative = prefix + entry.name;
    return entry.isDirectory() ? filesOf(full, `${relative}/`) : [{ path: relative, ...compressed(fs.readFileSync(full)) }];
  });
}

async function newPage(browser) {
  const context = await browser.newContext();
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`); });
  const cdp = await context.newCDPSession(page);
  return { context, page, cdp, problems };
}

// Start-up, cold (a fresh context) and warm (a reload), with an empty book; memory when empty.
async function startUp(browser, subject, round) {
  const { context, page, cdp, problems } = await newPage(browser);
  const responses = [];
  page.on('response', (response) => responses.push(response));
  await page.goto(PAGES[subject]);
  add(`startup.cold.${subject}`, await waitForReady(page));
  if (round === 0) await recordFirstVisit(page, subject, responses);
  const empty = await memory(page, cdp);
  add(`memory.empty.js_heap.${subject}`, empty.jsHeap);
  add(`memory.empty.wasm.${subject}`, empty.wasm);
  await page.reload();
  add(`startup.warm.${subject}`, await waitForReady(page));
  if (problems.length) throw new Error(`${subject}: ${problems.join('; ')}`);
  await context.close();
}

// One more cold start (a fresh context) of `subject`, timed only.
async function coldStart(browser, subject) {
  const { context, page, problems } = await newPage(browser);
  await page.goto(PAGES[subject]);
  add(`startup.cold.${subject}`, await waitForReady(page));
  if (problems.length) throw new Error(`${subject}: ${problems.join('; ')}`);
  await context.close();
}

// Every file the page fetched before its ready mark (the document, and each resource the
// timeline held at the mark), with its sizes.
async function recordFirstVisit(page, subject, responses) {
  const atReady = new Set(
    await page.evaluate(() => [...(window.__bench.resourcesAtReady ?? []), ...window.__bench.fetchedBeforeReady]),
  );
  firstVisit[subject] = [];
  for (const response of responses) {
    if (response.status() !== 200) continue;
    const isDocument = response.request().resourceType() === 'document';
    if (!isDocument && !atReady.has(response.url())) continue;
    const bytes = await response.body();
    firstVisit[subject].push({ path: new URL(response.url()).pathname, ...compressed(bytes) });
  }
}

// A portal page with the element: what its first visit downloads (its own files and the
// package's), and its cold start.
async function portal(browser, round) {
  const { context, page, problems } = await newPage(browser);
  const responses = [];
  page.on('response', (response) => responses.push(response));
  await page.goto(PAGES.portal);
  add('startup.cold.portal', await waitForReady(page));
  if (round === 0) await recordFirstVisit(page, 'portal', responses);
  if (problems.length) throw new Error(`portal: ${problems.join('; ')}`);
  await context.close();
}

// REST mode: the server's page signs in and mounts the component; from asking the server for
// the list to the first rows of the 10,000-domain book on screen.
async function rest(browser) {
  const { context, page, problems } = await newPage(browser);
  // The page's first question is whether a session exists (401 before signing in): expected.
  const expected = (problem) => /401|Failed to load resource/.test(problem);
  await page.goto(new URL('/', REST_URL).href);
  await page.getByTestId('signin-token').fill(REST_TOKEN);
  await page.getByTestId('signin-submit').click();
  await page.waitForFunction(() => window.__bench.firstRowAt !== null, undefined, { timeout: 60_000 });
  const figures = await page.evaluate(() => {
    const list = performance
      .getEntriesByType('resource')
      .find((entry) => new URL(entry.name).pathname === '/api/v1/email-domains');
    return {
      listStart: list ? list.startTime : null,
      listEnd: list ? list.responseEnd : null,
      listBytes: list ? list.encodedBodySize : null,
      firstRowAt: window.__bench.firstRowAt,
    };
  });
  if (figures.listStart === null) throw new Error('REST: the list was never fetched');
  add('scale.rest_list_to_rows.mailsetup', figures.firstRowAt - figures.listStart);
  add('scale.rest_list_transfer.mailsetup', figures.listEnd - figures.listStart);
  add('scale.rest_list_bytes.mailsetup', figures.listBytes);
  const unexpected = problems.filter((problem) => !expected(problem));
  if (unexpected.length) throw new Error(`REST: ${unexpected.join('; ')}`);
  await context.close();
}

// The 10,000-domain book: load, memory, filter keystrokes, edit dialog, one save.
async function scale(browser, subject) {
  const { context, page, cdp, problems } = await newPage(browser);
  try {
    await scaleOn(page, cdp, subject);
  } catch (error) {
    // A picture of the page for whoever reads the failure.
    await page.screenshot({ path: path.join(path.dirname(RAW_OUT), `failure-${subject}.png`) }).catch(() => {});
    throw error;
  }
  if (problems.length) throw new Error(`${subject}: ${problems.join('; ')}`);
  await context.close();
}

async function scaleOn(page, cdp, subject) {
  await page.goto(PAGES[subject]);
  await waitForReady(page);
  await page.evaluate(([key, text]) => localStorage.setItem(key, text), [SETTINGS_KEY, BOOK]);
  await page.reload();
  const ready = await waitForReady(page);
  const bench = await page.evaluate(() => ({ loadStart: window.__bench.loadStart, rowsAtReady: window.__bench.rowsAtReady }));
  add(`scale.ready_from_navigation.${subject}`, ready);
  add(`scale.load_to_rows.${subject}`, ready - bench.loadStart);
  add(`scale.rows_at_ready.${subject}`, bench.rowsAtReady);
  const held = await memory(page, cdp);
  add(`memory.book.js_heap.${subject}`, held.jsHeap);
  add(`memory.book.wasm.${subject}`, held.wasm);

  const filter = page.getByLabel('Filter domains');
  await filter.click();
  for (let i = 0; i < KEYSTROKES.length; i++) {
    await page.keyboard.press(KEYSTROKES[i]);
    await page.waitForFunction((n) => window.__bench.inputs.length >= n, i + 1);
  }
  const inputs = await page.evaluate(() => window.__bench.inputs);
  keystrokes[subject].push(inputs.map((sample) => sample.settled));
  add(`scale.keystroke_frame_median.${subject}`, median(inputs.map((sample) => sample.frame)));
  let maxRows = Math.max(bench.rowsAtReady, ...inputs.map((sample) => sample.rows));

  await page.evaluate(() => window.__bench.armClick('open'));
  await page.getByRole('button', { name: /^Edit settings for / }).first().click();
  await page.waitForFunction(() => window.__bench.actions.length >= 1);
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('IMAP server').fill('imap.bench-edited.example');
  await page.evaluate(() => window.__bench.armClick('save'));
  await dialog.getByRole('button', { name: 'Update' }).click();
  await page.waitForFunction(() => window.__bench.actions.length >= 2, undefined, { timeout: 30_000 });
  const actions = await page.evaluate(() => window.__bench.actions);
  add(`scale.open_dialog.${subject}`, actions[0].ms);
  add(`scale.save.${subject}`, actions[1].ms);
  maxRows = Math.max(maxRows, ...actions.map((action) => action.rows));
  add(`scale.max_dom_rows.${subject}`, maxRows);
  const saved = await page.evaluate((key) => localStorage.getItem(key).includes('imap.bench-edited.example'), SETTINGS_KEY);
  if (!saved) throw new Error(`${subject}: the edited server was not saved`);
}

// The package in a host page: 50 mount and unmount cycles, wasm memory after cycles 1, 10 and 50
// and the nodes left behind (the Playwright suite holds a bound on the same loop).
const LEAK_CYCLES = 50;
async function leak(browser) {
  const { context, page, problems } = await newPage(browser);
  await page.goto(new URL('hosts/portal.html?mount=no', BASE).href);
  await page.waitForFunction(() => document.body.dataset.portalReady === 'yes');
  const figures = await page.evaluate(async (cycles) => {
    const { portal } = window;
    const glue = await import('./pkg/mailsetup-wasm.js');
    const memory = (await glue.default()).memory;
    const app = document.getElementById('app');
    const nodesBefore = document.getElementsByTagName('*').length;
    const bytes = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      const handle = portal.mount(app, { storage: { type: 'memory' } });
      await handle.ready;
      handle.unmount();
      bytes.push(memory.buffer.byteLength);
    }
    return { nodesLeft: document.getElementsByTagName('*').length - nodesBefore, bytes };
  }, LEAK_CYCLES);
  add('leak.wasm.cycle_1', figures.bytes[0]);
  add('leak.wasm.cycle_10', figures.bytes[9]);
  add(`leak.wasm.cycle_${LEAK_CYCLES}`, figures.bytes[LEAK_CYCLES - 1]);
  add('leak.nodes_left', figures.nodesLeft);
  if (problems.length) throw new Error(`leak check: ${problems.join('; ')}`);
  await context.close();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
// The machine's load (1-minute average) before and after: a busy machine explains a wide min–max.
const load = () => Math.round(os.loadavg()[0] * 100) / 100;
const loadBefore = load();
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, so a slow moment of the machine hits every subject alike.
    for (const subject of ['floor', 'mailsetup', 'vanilla']) await startUp(browser, subject, round);
    // A cold start is one page load of some 50-130 ms: more of them per round, interleaved,
    // so one slow moment of the machine moves the median less.
    for (let again = 1; again < COLD_STARTS_PER_ROUND; again++) {
      for (const subject of ['floor', 'mailsetup', 'vanilla', 'portal']) await coldStart(browser, subject);
    }
    for (const subject of ['mailsetup', 'vanilla']) await scale(browser, subject);
    await leak(browser);
    await portal(browser, round);
    if (REST_URL) await rest(browser);
    console.log(`bench: round ${round + 1} of ${ROUNDS} done`);
  }
  const raw = {
    environment: { chromium: browser.version(), rounds: ROUNDS, keystrokes: KEYSTROKES.length, book_bytes: Buffer.byteLength(BOOK),
      cpus: os.cpus().length, load_before: loadBefore, load_after: load() },
    transfer: {
      dist: { mailsetup: filesOf(DIST.mailsetup), floor: filesOf(DIST.floor) },
      first_visit: firstVisit,
    },
    series,
    keystrokes,
  };
  fs.writeFileSync(RAW_OUT, JSON.stringify(raw, null, 2));
} finally {
  await browser.close();
}
