/**
 * The browser for the end-to-end tests: Debian's Chromium (CHROMIUM_PATH, which `npm test`
 * sets, or /usr/bin/chromium) driven by playwright-core, headless, with a fresh temporary
 * profile per launch; and pages in fresh contexts, so no cookie crosses from one person to the
 * next.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // apt may still be installing it when the suite starts.
  for (let i = 0; i < 600 && !existsSync(executablePath); i++) await new Promise((r) => setTimeout(r, 1000));
  assert.ok(existsSync(executablePath), `${executablePath} is not installed (apt-get install chromium)`);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page in a context of its own (its own cookies), in Chinese like the bureau's desktops. */
export async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  return context.newPage();
}

/** Fills the inbox's sign-in form on the page and waits for where it leads. */
export async function signInOnPage(page: Page, person: { id: string; password: string }): Promise<void> {
  await page.locator('#user').fill(person.id);
  await page.locator('#password').fill(person.password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '登录' }).click()]);
}
