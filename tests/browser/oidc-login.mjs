// "Log in with My Number Card" at the demo service (examples/oidc-demo, Authlib), in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the demo's page, the click
// that sends the browser to kazasu-rp's authorization page (QR code and kazasu:// link), the
// card login elsewhere, and the browser continuing by itself back to the demo, logged in.
//
//   node oidc-login.mjs DEMO_URL SCREENSHOT_DIR [personal]
//
// With `personal`, the demo's second button asks for the name and date of birth: the consent
// screen is shot and allowed before the QR page.
//
// Protocol on stdout (one line each, for tests/tests/oidc_browser.rs):
//   CHALLENGE_URL <url>   the authorization page shows its QR code: log in with the card now
//   STATUS <text>         the demo says who is logged in (exit 0)
// Any failure or time-out: a message on stderr and a non-zero exit.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [demoUrl, shotDir, mode] = process.argv.slice(2);
const personal = mode === 'personal';
const prefix = personal ? 'personal-' : '';
if (!demoUrl || !shotDir) {
  console.error('usage: node oidc-login.mjs DEMO_URL SCREENSHOT_DIR');
  process.exit(2);
}

const CHROMIUM = process.env.KAZASU_CHROMIUM || '/usr/bin/chromium';
// Starting the browser and reaching the authorization page.
const START_MS = 30_000;
// Waiting for the card login and the way back to the demo.
const LOGIN_MS = 60_000;
// Whatever happens, give up after this long.
const OVERALL_MS = 150_000;

const watchdog = setTimeout(() => {
  console.error(`oidc-login.mjs: gave up after ${OVERALL_MS / 1000} s`);
  process.exit(3);
}, OVERALL_MS);

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
  page = await browser.newPage({ viewport: { width: 800, height: 760 } });
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));

  await page.goto(demoUrl, { timeout: START_MS, waitUntil: 'load' });
  await page.locator('#login').waitFor({ state: 'visible', timeout: START_MS });
  await page.screenshot({ path: join(shotDir, `${prefix}1-service.png`), fullPage: true });
  if (personal) {
    await page.locator('#login-personal').click();
    await page.locator('#allow').waitFor({ state: 'visible', timeout: START_MS });
    const listed = (await page.locator('#released li').allTextContents()).join(', ');
    if (listed !== 'your name, your date of birth') {
      throw new Error(`the consent screen lists ${listed}`);
    }
    await page.screenshot({ path: join(shotDir, `${prefix}2-consent.png`), fullPage: true });
    await page.locator('#allow').click();
  } else {
    await page.locator('#login').click();
  }

  // kazasu-rp's authorization page.
  await page.locator('#qr svg').waitFor({ state: 'visible', timeout: START_MS });
  const challengeUrl = ((await page.locator('#challenge-url').textContent()) ?? '').trim();
  const appLink = (await page.locator('#open-app').getAttribute('href')) ?? '';
  if (!challengeUrl || !appLink.startsWith('kazasu://login?url=')) {
    throw new Error(`the page shows no challenge URL or app link (${challengeUrl}, ${appLink})`);
  }
  const cookies = (await page.context().cookies()).filter((c) => c.name === 'kazasu_oidc');
  if (cookies.length !== 1 || !cookies[0].httpOnly || cookies[0].sameSite !== 'Lax') {
    throw new Error(`expected one HttpOnly SameSite=Lax kazasu_oidc cookie: ${JSON.stringify(cookies.map((c) => ({ ...c, value: '…' })))}`);
  }
  if (challengeUrl.includes(cookies[0].value)) {
    throw new Error('the browser secret is in the QR code');
  }
  await page.screenshot({ path: join(shotDir, `${prefix}${personal ? 3 : 2}-authorize.png`), fullPage: true });
  await say(`CHALLENGE_URL ${challengeUrl}`);

  // The card logs in elsewhere; the page continues to the demo by itself.
  await page.waitForURL((url) => url.href.startsWith(demoUrl) && !url.pathname.startsWith('/callback'), { timeout: LOGIN_MS });
  await page.locator('#status').waitFor({ state: 'visible', timeout: START_MS });
  const status = ((await page.locator('#status').textContent()) ?? '').trim();
  const table = ((await page.locator('body').textContent()) ?? '').replace(/\s+/g, ' ');
  await page.screenshot({ path: join(shotDir, `${prefix}${personal ? 4 : 3}-logged-in.png`), fullPage: true });
  if (!status.includes('Logged in')) {
    throw new Error(`the demo did not log in: ${status} ${table}`);
  }
  await say(`STATUS ${status} | ${table}`);
  await browser.close();
  clearTimeout(watchdog);
  process.exit(0);
} catch (err) {
  try {
    await page?.screenshot({ path: join(shotDir, 'failure.png'), fullPage: true, timeout: 5_000 });
  } catch {
    // The page is gone.
  }
  console.error(`oidc-login.mjs: ${err?.message ?? err}${page ? ` (at ${page.url()})` : ''}`);
  try {
    await browser?.close();
  } catch {
    // Exiting anyway.
  }
  process.exit(1);
}
