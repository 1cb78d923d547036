// Browser end-to-end peer for Herald (herald-hub BrowserTest): a real headless Chromium, driven
// through playwright-core, opens the hub's own page and uses the browser's EventSource and fetch
// against the hub, exactly as any web page would.
//
// Usage:
//   node browser-eventsource.mjs --hub http://127.0.0.1:PORT --token PUBLISHER_JWT
//        [--topic TOPIC] [--data DATA] [--screenshot PATH] [--demo] [--timeout-ms N]
//        [--sources N] [--ignore-https-errors]
//        [--cookie JWT] [--private] [--publish-with header|cookie] [--expect-publish-status N]
//        [--resume] [--id ID]
// --hub and --token can also come from HERALD_HUB_URL and HERALD_PUBLISHER_TOKEN.
// --sources N opens N EventSources on the topic (default 1), all of which must open and receive
// the update: past 5 that only works when the browser multiplexes them over HTTP/2 (the page's
// clock, N sources and the fetch would need more than the 6 HTTP/1.1 connections per origin).
// --ignore-https-errors lets the page load from a hub with a self-signed test certificate
// (Playwright's context option; the Chromium command line stays the same).
// --cookie JWT puts the token in the hub's mercureAuthorization cookie (HttpOnly, SameSite=Strict)
// before the page loads: the way a browser authenticates an EventSource, which cannot send
// headers. --private publishes a private update. --publish-with cookie publishes with the cookie
// only (no Authorization header), as a page relying on the cookie would; the hub accepts that
// only from its --publish-origins (CSRF). --expect-publish-status N: the publish must be
// answered N; when N is not 200 nothing is awaited and the run succeeds on that status alone.
//
// Scenario (--resume), driven together with the test over stdin/stdout: the page subscribes,
// publishes A and receives it; the script prints {"stage":"received-first","id":A} and waits for
// a line "expect B" on stdin. Meanwhile the test restarts the hub (its stream ends, the browser
// reconnects by itself with Last-Event-ID: A) and publishes B. Success requires the page to have
// received exactly A then B (nothing lost, nothing twice) and the browser's reconnect to have
// carried Last-Event-ID: A. --id ID: A is published with that ID (say, a non-ASCII one).
//
// Scenario (always): GET / on the hub; in the page, new EventSource('/.well-known/mercure?topic=T'),
// wait for onopen; then fetch POST the update (form-urlencoded, Authorization: Bearer TOKEN) and
// wait for the message. Success requires the received data to equal what was published and the
// received lastEventId to equal the ID the hub answered the POST with.
// Scenario (--demo, hub started with demo on): the page's own #clock element, fed by its
// EventSource on demo/clock, must change from its initial "--:--:--".
// The result reports the protocols the browser used for the page, the subscriptions and the
// publish (as the DevTools protocol reports each response: "http/1.1", "h2", ...).
//
// stdout: exactly one JSON line: {"ok":true,...} (exit 0), or {"ok":false,"reason":...} (exit 1;
// exit 2 when the script's own hard timeout fired). Diagnostics (browser console, page errors)
// go to stderr.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

function parseArgs(argv) {
  const opts = {
    hub: process.env.HERALD_HUB_URL,
    token: process.env.HERALD_PUBLISHER_TOKEN,
    topic: 'https://example.com/browser/test',
    data: 'hello from chromium\nsecond line: é € 𝄞',
    screenshot: null,
    demo: false,
    timeoutMs: 30000,
    sources: 1,
    ignoreHttpsErrors: false,
    cookie: null,
    private: false,
    publishWith: 'header',
    expectPublishStatus: 200,
    resume: false,
    id: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--hub': opts.hub = value(); break;
      case '--token': opts.token = value(); break;
      case '--topic': opts.topic = value(); break;
      case '--data': opts.data = value(); break;
      case '--screenshot': opts.screenshot = value(); break;
      case '--demo': opts.demo = true; break;
      case '--timeout-ms': opts.timeoutMs = Number(value()); break;
      case '--sources': opts.sources = Number(value()); break;
      case '--ignore-https-errors': opts.ignoreHttpsErrors = true; break;
      case '--cookie': opts.cookie = value(); break;
      case '--private': opts.private = true; break;
      case '--publish-with': opts.publishWith = value(); break;
      case '--expect-publish-status': opts.expectPublishStatus = Number(value()); break;
      case '--resume': opts.resume = true; break;
      case '--id': opts.id = value(); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.hub) throw new Error('no hub URL: pass --hub http://HOST:PORT or set HERALD_HUB_URL');
  if (!opts.token) throw new Error('no publisher token: pass --token JWT or set HERALD_PUBLISHER_TOKEN');
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) throw new Error('--timeout-ms must be positive');
  if (!['header', 'cookie'].includes(opts.publishWith)) throw new Error('--publish-with must be header or cookie');
  if (opts.publishWith === 'cookie' && !opts.cookie) throw new Error('--publish-with cookie needs --cookie');
  if (!Number.isInteger(opts.expectPublishStatus)) throw new Error('--expect-publish-status must be an HTTP status');
  if (!Number.isInteger(opts.sources) || opts.sources < 1 || opts.sources > 100) throw new Error('--sources must be 1..100');
  return opts;
}

let finished = false;
function finish(code, result) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(code));
}

let browser = null;

async function run(opts) {
  const steps = [];
  const step = (s) => { steps.push(s); process.stderr.write(`[browser-eventsource] ${s}\n`); };

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: opts.timeoutMs,
  });
  const browserVersion = browser.version();
  step(`launched ${CHROMIUM} ${browserVersion}`);
  const context = await browser.newContext({
    viewport: { width: 1000, height: 800 },
    ignoreHTTPSErrors: opts.ignoreHttpsErrors,
  });
  if (opts.cookie) {
    await context.addCookies([{
      name: 'mercureAuthorization', value: opts.cookie, url: new URL('/', opts.hub).href,
      httpOnly: true, sameSite: 'Strict',
    }]);
  }
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`[console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[pageerror] ${e}\n`));
  // The protocol of every response, as soon as its headers arrive (an EventSource's response
  // never completes, so Resource Timing would only report it after close, asynchronously).
  const responses = [];
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.responseReceived', (e) => responses.push({
    url: e.response.url, status: e.response.status, protocol: e.response.protocol, type: e.type,
  }));
  // Requests with the headers actually sent: Chromium adds some (Last-Event-ID on an
  // EventSource's reconnect, cookies) in the network layer, reported by the ExtraInfo event.
  const requests = [];
  const byId = new Map();
  const request = (id) => {
    if (!byId.has(id)) { byId.set(id, { url: null, headers: {} }); requests.push(byId.get(id)); }
    return byId.get(id);
  };
  cdp.on('Network.requestWillBeSent', (e) => {
    const r = request(e.requestId);
    r.url = e.request.url;
    Object.assign(r.headers, e.request.headers);
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => Object.assign(request(e.requestId).headers, e.headers));
  await cdp.send('Network.enable');

  const pageUrl = new URL('/', opts.hub).href;
  const response = await page.goto(pageUrl, { waitUntil: 'load', timeout: opts.timeoutMs });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${pageUrl} answered ${response ? response.status() : 'nothing'}`);
  }
  step(`opened ${pageUrl} (${await page.title()})`);

  if (opts.resume) {
    return await runResume(page, opts, requests, step, steps, browserVersion, pageUrl);
  }

  // Everything below runs inside the page: the page's origin, the page's CSP, the browser's
  // EventSource and fetch. Errors before onopen fail at once rather than waiting for the timeout.
  const exchange = await page.evaluate(async ({ topic, data, token, sources, priv, publishWith, expectStatus }) => {
    const url = new URL('/.well-known/mercure', location.href);
    url.searchParams.append('topic', topic);
    const all = [];
    for (let i = 0; i < sources; i++) {
      // A distinct query per source, so each is its own request (and its own timing entry).
      const u = new URL(url);
      u.searchParams.append('source', String(i));
      all.push(new EventSource(u));
    }
    window.__heraldTestSources = all;
    await Promise.all(all.map((es, i) => new Promise((resolve, reject) => {
      es.onopen = () => resolve();
      es.onerror = () => reject(new Error(`EventSource ${i} error before open (readyState ${es.readyState})`));
    })));
    const messages = all.map((es, i) => new Promise((resolve, reject) => {
      es.onmessage = (e) => resolve({ data: e.data, lastEventId: e.lastEventId, type: e.type, origin: e.origin });
      es.onerror = () => reject(new Error(`EventSource ${i} error after open (readyState ${es.readyState})`));
    }));
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (publishWith === 'header') headers.Authorization = `Bearer ${token}`;
    const fields = { topic, data };
    if (priv) fields.private = 'on';
    const res = await fetch('/.well-known/mercure', {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: new URLSearchParams(fields).toString(),
    });
    const body = await res.text();
    if (res.status !== expectStatus) {
      throw new Error(`publish answered ${res.status}, expected ${expectStatus}: ${body}`);
    }
    if (res.status !== 200) {
      all.forEach((es) => es.close());
      return { publishStatus: res.status, refusal: body.trim(), publishedId: null, received: null, receivedAll: [] };
    }
    const receivedAll = await Promise.all(messages);
    all.forEach((es) => es.close());
    return { publishStatus: res.status, publishedId: body.trim(), received: receivedAll[0], receivedAll };
  }, {
    topic: opts.topic, data: opts.data, token: opts.token, sources: opts.sources, priv: opts.private,
    publishWith: opts.publishWith, expectStatus: opts.expectPublishStatus,
  });
  if (exchange.publishStatus === 200) {
    step(`published ${exchange.publishedId}, received lastEventId=${exchange.received.lastEventId}`);
  } else {
    step(`publish refused as expected: ${exchange.publishStatus} ${exchange.refusal}`);
  }

  const protocol = (pred) => [...new Set(responses.filter((r) => pred(new URL(r.url))).map((r) => r.protocol))];
  exchange.protocols = {
    page: protocol((u) => u.pathname === '/'),
    subscribe: protocol((u) => u.pathname === '/.well-known/mercure' && u.searchParams.has('source')),
    publish: protocol((u) => u.pathname === '/.well-known/mercure' && u.search === ''),
  };
  step(`protocols ${JSON.stringify(exchange.protocols)}`);
  const problems = [];
  if (exchange.publishStatus !== 200) {
    // Refused as expected (checked in the page): nothing to compare.
  } else if (exchange.received.data !== opts.data) {
    problems.push(`data differs: published ${JSON.stringify(opts.data)}, received ${JSON.stringify(exchange.received.data)}`);
  }
  if (exchange.publishStatus === 200 && !exchange.publishedId) {
    problems.push('the publish response carried no ID');
  }
  if (exchange.publishStatus === 200 && exchange.received.lastEventId !== exchange.publishedId) {
    problems.push(`lastEventId ${JSON.stringify(exchange.received.lastEventId)} is not the published ID ${JSON.stringify(exchange.publishedId)}`);
  }
  if (exchange.publishStatus === 200 && exchange.received.type !== 'message') {
    problems.push(`event type ${JSON.stringify(exchange.received.type)}, expected "message"`);
  }
  exchange.receivedAll.forEach((r, i) => {
    if (r.data !== opts.data || r.lastEventId !== exchange.publishedId) {
      problems.push(`EventSource ${i} received ${JSON.stringify(r)}`);
    }
  });

  let clock = null;
  if (opts.demo) {
    // The page's own EventSource on demo/clock replaces the placeholder on its first tick.
    await page.waitForFunction(
      () => document.getElementById('clock').textContent !== '--:--:--',
      null,
      { timeout: opts.timeoutMs, polling: 100 });
    clock = {
      text: await page.textContent('#clock'),
      status: await page.textContent('#status'),
    };
    step(`#clock shows ${JSON.stringify(clock.text)}, #status ${JSON.stringify(clock.status)}`);
    if (clock.status !== 'connected') {
      problems.push(`#status is ${JSON.stringify(clock.status)}, expected "connected"`);
    }
  }

  if (opts.screenshot) {
    mkdirSync(dirname(opts.screenshot), { recursive: true });
    await page.screenshot({ path: opts.screenshot, fullPage: true });
    step(`screenshot ${opts.screenshot}`);
  }
  await browser.close();
  browser = null;

  const result = {
    ok: problems.length === 0,
    browser: `chromium ${browserVersion}`,
    page: pageUrl,
    topic: opts.topic,
    publishStatus: exchange.publishStatus,
    refusal: exchange.refusal,
    published: { id: exchange.publishedId, data: opts.data, private: opts.private, with: opts.publishWith },
    received: exchange.received,
    sources: exchange.receivedAll.length,
    protocols: exchange.protocols,
    clock,
    screenshot: opts.screenshot,
    steps,
  };
  if (problems.length) result.reason = problems.join('; ');
  return result;
}

/** The next line on stdin (the test driving a --resume run). */
let stdinLines = null;
function nextStdinLine() {
  if (!stdinLines) {
    const queue = [];
    const waiting = [];
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
    rl.on('close', () => waiting.splice(0).forEach((w) => w(null)));
    stdinLines = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
  }
  return stdinLines();
}

async function runResume(page, opts, requests, step, steps, browserVersion, pageUrl) {
  // One EventSource, kept for the whole run: the browser reconnects it by itself.
  const first = await page.evaluate(async ({ topic, data, token, id }) => {
    const url = new URL('/.well-known/mercure', location.href);
    url.searchParams.append('topic', topic);
    url.searchParams.append('source', 'resume');
    const es = new EventSource(url);
    const state = { received: [], opens: 0, errors: 0 };
    window.__heraldResume = state;
    es.onopen = () => { state.opens++; };
    es.onerror = () => { state.errors++; };
    es.onmessage = (e) => state.received.push({ data: e.data, lastEventId: e.lastEventId });
    await new Promise((resolve, reject) => {
      const t = setInterval(() => {
        if (state.opens > 0) { clearInterval(t); resolve(); }
        if (es.readyState === EventSource.CLOSED) { clearInterval(t); reject(new Error('EventSource closed before open')); }
      }, 20);
    });
    const res = await fetch('/.well-known/mercure', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': `Bearer ${token}` },
      body: new URLSearchParams(id === null ? { topic, data } : { topic, data, id }).toString(),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`publish answered ${res.status}: ${body}`);
    return { id: body.trim() };
  }, { topic: opts.topic, data: opts.data, token: opts.token, id: opts.id });
  await page.waitForFunction((id) => window.__heraldResume.received.some((m) => m.lastEventId === id),
    first.id, { timeout: opts.timeoutMs, polling: 50 });
  step(`received the first update ${first.id}`);
  process.stdout.write(JSON.stringify({ stage: 'received-first', id: first.id }) + '\n');

  const line = await nextStdinLine();
  const m = line && /^expect (.+)$/.exec(line.trim());
  if (!m) throw new Error(`expected "expect <id>" on stdin, got ${JSON.stringify(line)}`);
  const secondId = m[1];
  step(`waiting for ${secondId} after the hub's restart`);
  await page.waitForFunction((id) => window.__heraldResume.received.some((x) => x.lastEventId === id),
    secondId, { timeout: opts.timeoutMs, polling: 50 });
  const state = await page.evaluate(() => window.__heraldResume);

  const subscribeRequests = requests.filter((r) => {
    if (!r.url) return false;
    const u = new URL(r.url);
    return u.pathname === '/.well-known/mercure' && u.searchParams.get('source') === 'resume';
  });
  const lastEventIdSent = subscribeRequests.map((r) => {
    const h = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'last-event-id');
    return h ? h[1] : null;
  });
  step(`subscribe requests sent Last-Event-ID ${JSON.stringify(lastEventIdSent)}`);

  const problems = [];
  const ids = state.received.map((x) => x.lastEventId);
  if (JSON.stringify(ids) !== JSON.stringify([first.id, secondId])) {
    problems.push(`received ${JSON.stringify(ids)}, expected exactly ${JSON.stringify([first.id, secondId])}`);
  }
  if (state.received[0] && state.received[0].data !== opts.data) {
    problems.push(`first data ${JSON.stringify(state.received[0].data)}`);
  }
  if (state.opens < 2) problems.push(`EventSource opened ${state.opens} time(s), expected a reconnect`);
  // The DevTools protocol reports header bytes one char each, and the browser sends the ID's
  // UTF-8 bytes: a non-ASCII ID shows up as its UTF-8 read as Latin-1 (exact for bytes outside
  // 0x80-0x9F, which the DevTools decoder maps as windows-1252).
  const asSent = Buffer.from(first.id, 'utf8').toString('latin1');
  if (!lastEventIdSent.slice(1).includes(asSent)) {
    problems.push(`no reconnect carried Last-Event-ID ${first.id}: ${JSON.stringify(lastEventIdSent)}`);
  }
  if (opts.screenshot) {
    mkdirSync(dirname(opts.screenshot), { recursive: true });
    await page.screenshot({ path: opts.screenshot, fullPage: true });
  }
  await browser.close();
  browser = null;
  const result = {
    ok: problems.length === 0,
    browser: `chromium ${browserVersion}`,
    page: pageUrl,
    topic: opts.topic,
    received: state.received,
    opens: state.opens,
    errors: state.errors,
    lastEventIdSent,
    steps,
  };
  if (problems.length) result.reason = problems.join('; ');
  return result;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  finish(1, { ok: false, reason: `bad arguments: ${e.message}` });
}

if (opts) {
  let timedOut = false;
  const timer = setTimeout(async () => {
    timedOut = true;
    const reason = `hard timeout: nothing conclusive within ${opts.timeoutMs} ms`;
    try { if (browser) await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 2000))]); } catch {}
    finish(2, { ok: false, reason });
  }, opts.timeoutMs);

  run(opts).then(
    (result) => { clearTimeout(timer); finish(result.ok ? 0 : 1, result); },
    async (e) => {
      if (timedOut) return; // the timer reports, and closing the browser is what failed this
      clearTimeout(timer);
      try { if (browser) await browser.close(); } catch {}
      finish(1, { ok: false, reason: String(e && e.message ? e.message.split('\n')[0] : e) });
    });
}
