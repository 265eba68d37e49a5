// Chromium for the console's end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core,
// headless, in a fresh profile, with everything that would reach the network at start-up turned off.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A reason to skip browser tests, or false when Chromium is there. */
export const noChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install the Debian package (apt-get install -y chromium) or set CHROMIUM_PATH`;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    p.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Polls until `check` holds, failing with `what` after `timeoutMs`. For state the page sets after an answer
 * it awaits (a select read back from the server), where one immediate look would race it;
 * page.waitForFunction would evaluate a string, which the console's CSP forbids.
 */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
}

/** Waits until a form control (input or select) holds `value`; fails with what it holds instead. */
export async function untilValue(control: Locator, value: string, timeoutMs = 5000): Promise<void> {
  let shown = '';
  try {
    await until(`it holds ${JSON.stringify(value)}`, async () => (shown = await control.inputValue()) === value, timeoutMs);
  } catch {
    throw new Error(`expected the control to hold ${JSON.stringify(value)}, it holds ${JSON.stringify(shown)}`);
  }
}

/** Signs in to the console at `baseUrl` and waits for the flow list. */
export async function signIn(page: Page, baseUrl: string, account: { sid: string; authToken: string }): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Account SID').fill(account.sid);
  await page.getByLabel('Auth token').fill(account.authToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Flows' }).waitFor();
}

/**
 * A listening test server with the console built, and Chromium signed in to it: what a browser test's
 * `before` sets up. Dialogs (leaving a flow with unsaved edits asks) are accepted unless told otherwise; close with
 * closeSignedInConsole in `after`.
 */
export async function openSignedInConsole(
  options: { server?: Omit<NonNullable<Parameters<typeof startTestServer>[0]>, 'listen'>; timeoutMs?: number; acceptDialogs?: boolean } = {},
): Promise<{ server: TestServer; browser: Browser; page: Page }> {
  await ensureConsoleBuilt();
  const server = await startTestServer({ ...options.server, listen: true });
  const browser = await launchBrowser();
  const page = browser.page;
  page.setDefaultTimeout(options.timeoutMs ?? 10_000);
  if (options.acceptDialogs ?? true) page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, server.baseUrl, server.account);
  return { server, browser, page };
}

export async function closeSignedInConsole(session: { server?: TestServer; browser?: Browser }): Promise<void> {
  await session.browser?.close();
  await session.server?.close();
}
