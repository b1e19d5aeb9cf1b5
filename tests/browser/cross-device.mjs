// The cross-device login page in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): it must show the QR code while waiting, then flip to "Logged in" once the
// card logs in elsewhere.
//
//   node cross-device.mjs PAGE_URL SCREENSHOT_DIR
//
// Protocol on stdout (one line each, for tests/tests/browser_login.rs):
//   CHALLENGE_URL <url>   the QR code is shown: log in with the card for this challenge now
//   STATUS <text>         the page says it is logged in (exit 0)
// Any failure or time-out: a message on stderr and a non-zero exit.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [pageUrl, shotDir] = process.argv.slice(2);
if (!pageUrl || !shotDir) {
  console.error('usage: node cross-device.mjs PAGE_URL SCREENSHOT_DIR');
  process.exit(2);
}

const CHROMIUM = process.env.KAZASU_CHROMIUM || '/usr/bin/chromium';
// Starting the browser and showing the QR code.
const START_MS = 30_000;
// Waiting for the card login after CHALLENGE_URL was printed.
const LOGIN_MS = 60_000;
// Whatever happens, give up after this long.
const OVERALL_MS = 150_000;

const watchdog = setTimeout(() => {
  console.error(`cross-device.mjs: gave up after ${OVERALL_MS / 1000} s`);
  process.exit(3);
}, OVERALL_MS);

/** Writes one protocol line and waits until it has been handed to the pipe. */
function say(line) {
  return new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (err) => (err ? reject(err) : resolve()));
  });
}

let browser;
let page;
try {
  mkdirSync(shotDir, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: START_MS,
    // The machine has no internet: keep Chromium from looking anything up.
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
  page = await browser.newPage({ viewport: { width: 800, height: 720 } });
  page.on('console', (msg) =>
    console.error(`page console ${msg.type()}: ${msg.text()} (${msg.location().url || 'no URL'})`),
  );
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));

  await page.goto(pageUrl, { timeout: START_MS, waitUntil: 'load' });
  await page.locator('#qr svg').waitFor({ state: 'visible', timeout: START_MS });
  await page.waitForFunction(
    () => (document.getElementById('status')?.textContent ?? '').includes('Waiting'),
    null,
    { timeout: START_MS },
  );
  const challengeUrl = ((await page.locator('#challenge-url').textContent()) ?? '').trim();
  if (!challengeUrl) {
    throw new Error('the page shows no challenge URL');
  }
  // The login is tied to this browser by a cookie its scripts cannot read (HttpOnly), sent to
  // this login's status URL only, never on cross-site requests; and it is not in the QR code.
  const loginCookies = (await page.context().cookies()).filter((c) => c.name === 'kazasu_login');
  if (loginCookies.length !== 1) {
    throw new Error(`expected one kazasu_login cookie, found ${loginCookies.length}`);
  }
  const [cookie] = loginCookies;
  if (!cookie.httpOnly || cookie.sameSite !== 'Strict' || !cookie.path.startsWith('/v1/login/status/')) {
    throw new Error(`the login cookie is not HttpOnly/SameSite=Strict/status-scoped: ${JSON.stringify({ ...cookie, value: '…' })}`);
  }
  if ((await page.evaluate(() => document.cookie)).includes('kazasu_login')) {
    throw new Error('the page script can read the login cookie');
  }
  if (challengeUrl.includes(cookie.value)) {
    throw new Error('the login secret is in the challenge URL');
  }
  await page.screenshot({ path: join(shotDir, '1-waiting.png'), fullPage: true });
  await say(`CHALLENGE_URL ${challengeUrl}`);

  // Logged in, or a final failure (shown with class "failed"): stop waiting either way.
  await page.waitForFunction(
    () => {
      const s = document.getElementById('status');
      return s && (s.textContent.includes('Logged in') || s.classList.contains('failed'));
    },
    null,
    { timeout: LOGIN_MS, polling: 100 },
  );
  const status = ((await page.locator('#status').textContent()) ?? '').trim();
  await page.screenshot({ path: join(shotDir, '2-logged-in.png'), fullPage: true });
  if (!status.includes('Logged in')) {
    throw new Error(`the page did not log in: ${status}`);
  }
  await say(`STATUS ${status}`);
  await browser.close();
  clearTimeout(watchdog);
  process.exit(0);
} catch (err) {
  let status = '';
  try {
    status = page ? ((await page.locator('#status').textContent({ timeout: 1_000 })) ?? '') : '';
    await page?.screenshot({ path: join(shotDir, 'failure.png'), fullPage: true, timeout: 5_000 });
  } catch {
    // The page is gone: nothing more to say.
  }
  console.error(`cross-device.mjs: ${err?.message ?? err}${status ? ` (status: ${status})` : ''}`);
  try {
    await browser?.close();
  } catch {
    // Exiting anyway.
  }
  process.exit(1);
}
