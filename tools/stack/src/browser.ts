import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT =
  "Chromium is needed for the tests of the HTML pages: install Debian's package (`apt-get install -y chromium`, as root) or set CHROMIUM_PATH to a Chromium or Chrome binary.";

/**
 * The Chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium — installed with apt-get when missing and
 * this runs as root on Debian. Playwright never downloads a browser here.
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured))
      throw new Error(`CHROMIUM_PATH=${configured} does not exist. ${INSTALL_HINT}`);
    return configured;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    // Test files may start at once: apt-get waits for another's lock instead of failing on it.
    const apt = (...args: string[]) =>
      execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    try {
      apt('install', '-y', '--no-install-recommends', 'chromium');
    } catch {
      apt('update');
      apt('install', '-y', '--no-install-recommends', 'chromium');
    }
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  }
  throw new Error(`No Chromium at ${DEBIAN_CHROMIUM}. ${INSTALL_HINT}`);
}

export interface OpenedPage {
  readonly url: string;
  readonly page: Page;
  readonly consoleErrors: readonly string[];
  readonly pageErrors: readonly string[];
  /** Every URL the page asked for, the page itself included; anything but the page was refused. */
  readonly requests: readonly string[];
  /** Messages of any alert/confirm/prompt the page opened (each dismissed). */
  readonly dialogs: readonly string[];
  /** The text content of the page's body. */
  readonly text: string;
  /** The text content of every SVG <text> element, in document order. */
  readonly svgTextContents: readonly string[];
  screenshot(path: string): Promise<void>;
}

export interface BrowserSession {
  /** Opens an HTML file by its file:// URL in the session's one page. */
  openPage(htmlFile: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** One headless Chromium and one page, reused for every file a test file opens. */
export async function startBrowser(): Promise<BrowserSession> {
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let current = {
    url: '',
    consoleErrors: [] as string[],
    pageErrors: [] as string[],
    requests: [] as string[],
    dialogs: [] as string[],
  };
  page.on('console', (message) => {
    if (message.type() === 'error') current.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => current.pageErrors.push(error.message));
  page.on('request', (request) => current.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    current.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await context.route('**/*', (route) =>
    route.request().url() === current.url ? route.continue() : route.abort('blockedbyclient'),
  );

  return {
    async openPage(htmlFile) {
      const url = pathToFileURL(htmlFile).href;
      current = { url, consoleErrors: [], pageErrors: [], requests: [], dialogs: [] };
      const seen = current;
      await page.goto(url, { waitUntil: 'load' });
      const text = (await page.locator('body').textContent()) ?? '';
      const svgTextContents = await page.$$eval('svg text', (els) => els.map((e) => e.textContent ?? ''));
      return {
        url,
        page,
        consoleErrors: seen.consoleErrors,
        pageErrors: seen.pageErrors,
        requests: seen.requests,
        dialogs: seen.dialogs,
        text,
        svgTextContents,
        async screenshot(path) {
          await page.screenshot({ path, fullPage: true });
        },
      };
    },
    async close() {
      await browser.close();
    },
  };
}
