import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { available, describeNeeding } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// GraphiQL as a person uses it (README "GraphQL"): open /graphql in Chromium, paste the key into the Headers tab,
// run the example query or a subscription, read the result pane. playwright-core drives Debian's Chromium; it never
// downloads a browser.

const SESSION_C = '9b2f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const WAIT_MS = 45_000;

/** The text of a Monaco editor as drawn, line by line (Monaco reuses line nodes, so DOM order is not line order). */
function editorText(page: Page, editor: string): Promise<string> {
  return page.locator(`${editor} .view-lines`).evaluate((lines) =>
    [...lines.querySelectorAll<HTMLElement>('.view-line')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' '))
      .join('\n'),
  );
}

const QUERY_EDITOR = 'section.graphiql-query-editor .monaco-editor';
const HEADERS_EDITOR = 'section.graphiql-editor-tool .monaco-editor[data-uri$="request-headers.json"]';
const RESULT_PANE = 'section.result-window';

/** Waits until `editor` shows a text that `done` accepts (Monaco draws on the next frame); on timeout, says what it shows. */
async function waitForEditor(page: Page, editor: string, done: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  let shown = '';
  while (Date.now() < deadline) {
    shown = await editorText(page, editor);
    if (done(shown)) return shown;
    await page.waitForTimeout(200);
  }
  throw new Error(`${editor} never showed ${what}; it shows:\n${shown}`);
}

/** Waits until GraphiQL's localStorage, as JSON text, passes `done` (it saves a moment after a change); returns that text. */
async function waitForStorage(page: Page, done: (stored: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  let stored = '';
  while (Date.now() < deadline) {
    stored = await page.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage))));
    if (done(stored)) return stored;
    await page.waitForTimeout(200);
  }
  throw new Error(`localStorage never held ${what}; it holds:\n${stored}`);
}

function waitForResult(page: Page, expected: string[]): Promise<string> {
  return waitForEditor(page, RESULT_PANE, (text) => expected.every((part) => text.includes(part)), JSON.stringify(expected));
}

function isJson(text: string, expected: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

/**
 * Replaces the whole content of a Monaco editor by pasting, as a person pastes a key: typed (or inserted) text
 * goes through Monaco's auto-closing of brackets and quotes and comes out mangled.
 */
async function pasteIntoEditor(page: Page, editor: string, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator(`${editor} .view-lines`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

// The browser part does not depend on the database engine, and the engines are covered by every other spec:
// it runs once, on SQLite.
describe.runIf(TEST_ENGINE === 'sqlite')('GraphiQL', () => describeNeeding('chromium', 'in Chromium', () => {
  let browser: Browser;
  let t: TestGateway;
  let context: BrowserContext | undefined;
  let requested: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: available('chromium')!, args: ['--no-sandbox'] });
    t = await startTestGateway();
  }, 60_000);

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh profile (GraphiQL keeps headers in localStorage), GraphiQL loaded, the key in the Headers tab. */
  async function openGraphiQL(key: string): Promise<Page> {
    // Tall, so that Monaco draws every line of the result.
    context = await browser.newContext({ viewport: { width: 1400, height: 2000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    requested = [];
    page.on('request', (request) => requested.push(request.url()));
    // Settled: the schema fetched, the example query and the headers placeholder in their editors.
    const schemaFetched = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/graphql',
      { timeout: WAIT_MS },
    );
    await page.goto(`${t.url}/graphql`, { timeout: WAIT_MS });
    await schemaFetched;
    await waitForEditor(page, QUERY_EDITOR, (text) => text.includes('query RecentSessions'), 'the example query');
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
    await page.locator(HEADERS_EDITOR).waitFor({ state: 'visible', timeout: WAIT_MS });
    await waitForEditor(page, HEADERS_EDITOR, (text) => text.includes('paste your ct_live_ key here'), 'the key placeholder');
    await pasteIntoEditor(page, HEADERS_EDITOR, JSON.stringify({ 'X-API-Key': key }));
    await waitForEditor(page, HEADERS_EDITOR, (text) => isJson(text, { 'X-API-Key': key }), 'the pasted key');
    return page;
  }

  /** Everything the page fetched came from the gateway itself (or from blobs and data it made). */
  function expectNothingFromElsewhere(): void {
    const own = new URL(t.url).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== own)).toEqual([]);
  }

  it('runs the example query with a pasted key and shows the sessions', { timeout: 120_000 }, async () => {
    const key = await t.key();
    const ingested = await t.post(
      '/api/v1/events',
      {
        events: [
          event('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
          event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } }),
          event('session_start', SESSION_B, '2024-01-16T09:00:00Z'),
          event('session_start', SESSION_C, '2024-01-17T08:00:00Z'),
        ],
      },
      key,
    );
    expect(ingested.status).toBe(200);

    const page = await openGraphiQL(key);
    await page.locator('.graphiql-execute-button').click();

    const shown = await waitForResult(page, [SESSION_A, SESSION_B, SESSION_C, '"total": 3']);
    expect(shown).not.toContain('"errors"');
    expect(shown).toContain('"toolInvocations": 1');
    expectNothingFromElsewhere();
  });

  it('a link cannot fill, persist or run an operation, nor set headers', { timeout: 120_000 }, async () => {
    const key = await t.key({ account: 'linked' });
    const page = await openGraphiQL(key);
    const sessionId = '3c9a1f2e-8b7d-4c6e-9f1a-2b3c4d5e6f70';
    const marker = 'PlantedByALink';
    const planted = `mutation ${marker} { ingestEvents(events: [{ eventType: "session_start", sessionId: "${sessionId}", timestamp: "2024-01-15T10:30:00Z" }]) { accepted } }`;
    // The pasted key is saved before the link is followed, as it is for anyone who used GraphiQL before.
    await waitForStorage(page, (stored) => stored.includes(key), 'the pasted key');
    const bodies: string[] = [];
    page.on('request', (request) => bodies.push(request.postData() ?? ''));
    const link = new URL(`${t.url}/graphql`);
    link.searchParams.set('query', planted);
    link.searchParams.set('variables', JSON.stringify({ planted: marker }));
    link.searchParams.set('headers', JSON.stringify({ 'X-API-Key': `ct_live_${'a'.repeat(32)}`, 'X-Planted': marker }));
    link.searchParams.set('operationName', marker);

    const schemaFetched = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/graphql',
      { timeout: WAIT_MS },
    );
    await page.goto(link.toString(), { timeout: WAIT_MS });
    await schemaFetched;
    // GraphiQL opens its tabs as it left them (plus an empty one, as on any visit to /graphql): none is the link's,
    // which would be named after its operation. The address bar lost the link's parameters.
    await page.locator('.graphiql-tab-active').waitFor({ timeout: WAIT_MS });
    expect((await page.locator('.graphiql-tab').allTextContents()).join(' ')).toContain('RecentSessions');
    expect((await page.locator('.graphiql-tab').allTextContents()).join(' ')).not.toContain(marker);
    expect(await editorText(page, QUERY_EDITOR)).not.toContain(marker);
    expect(new URL(page.url()).search).toBe('');
    // The Headers tab holds the key pasted before, not the link's.
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
    const headers = await waitForEditor(page, HEADERS_EDITOR, (text) => isJson(text, { 'X-API-Key': key }), 'the key pasted before');
    expect(headers).not.toContain(marker);

    // An edit of one's own makes GraphiQL save its tabs; once that is stored, nothing of the link is.
    await pasteIntoEditor(page, QUERY_EDITOR, 'query OwnEdit { __typename }');
    const stored = await waitForStorage(page, (text) => text.includes('OwnEdit'), 'the edit');
    expect(stored).not.toContain(marker);

    // Nothing ran: no request carried the planted operation, and the session does not exist.
    expect(bodies.filter((body) => body.includes(marker))).toEqual([]);
    const { body } = await t.graphql(`{ session(id: "${sessionId}") { id } }`, {}, key);
    expect(body.data?.['session']).toBeNull();
    expectNothingFromElsewhere();
  });

  it('another page cannot frame GraphiQL or the API docs', { timeout: 120_000 }, async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => refusals.push(message.text()));
    const loaded = (name: string) => page.waitForEvent('framenavigated', { predicate: (frame) => frame.name() === name, timeout: WAIT_MS });
    const frames = Promise.all(['graphiql', 'docs', 'control'].map(loaded));
    // The control frame shows a JSON document of the gateway's, which may be framed: framing itself works here.
    await page.setContent(`
      <iframe name="graphiql" src="${t.url}/graphql"></iframe>
      <iframe name="docs" src="${t.url}/api/v1/docs"></iframe>
      <iframe name="control" src="${t.url}/healthz"></iframe>`);
    await frames;
    await page.waitForLoadState('load');
    const control = page.frame({ name: 'control' })!;
    await control.waitForLoadState('load');
    expect(await control.locator('body').textContent()).toContain('"status":"ok"');
    for (const name of ['graphiql', 'docs']) {
      const frame = page.frame({ name })!;
      await frame.waitForLoadState('load');
      expect(frame.url(), name).not.toMatch(new RegExp(`^${t.url}`));
      expect(await frame.locator('#root, #swagger-ui').count(), name).toBe(0);
    }
  });

  it('shows a subscription update pushed over SSE when an event arrives over REST', { timeout: 120_000 }, async () => {
    const key = await t.key({ account: 'live' });
    await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-02-01T10:00:00Z')] }, key);
    const page = await openGraphiQL(key);
    const subscription = 'subscription Watch { sessionUpdated { id eventCount } }';
    await pasteIntoEditor(page, QUERY_EDITOR, subscription);
    await waitForEditor(page, QUERY_EDITOR, (text) => text === subscription, 'the pasted subscription');
    // GraphiQL picks the operation to run from the edited document a moment later (a run before that asks for
    // the example's RecentSessions); the tab is named after the operation at the same time.
    await page.locator('.graphiql-tab-active', { hasText: 'Watch' }).waitFor({ timeout: WAIT_MS });
    await page.locator('.graphiql-execute-button').click();

    // The event is sent only once the gateway holds the subscription, so that it cannot be missed.
    const deadline = Date.now() + WAIT_MS;
    while (t.gateway.feed.size === 0 && Date.now() < deadline) await page.waitForTimeout(100);
    const pane = await editorText(page, RESULT_PANE);
    expect(t.gateway.feed.size, `GraphiQL opened the subscription; the result pane shows: ${pane}`).toBe(1);

    const sent = await t.post(
      '/api/v1/events',
      { events: [event('tool_use', SESSION_A, '2024-02-01T10:05:00Z', { data: { tool_name: 'Bash' } })] },
      key,
    );
    expect(sent.status).toBe(200);
    await waitForResult(page, [SESSION_A, '"eventCount": 2']);
    expectNothingFromElsewhere();
  });
}));
