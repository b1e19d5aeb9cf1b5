// Drives the Kazasu app's real window (WebKitGTK) through tauri-driver + WebKitWebDriver to sign
// a PDF that keeps its proof for years: with no timestamp service set, the long-term options are
// disabled and say why; once the test has written tsa.toml and the TSA's CA into the trust
// folder, the screen (shown again) offers them, and the person signs with "Keeps its proof for
// years". Run by tests/tests/app_window_long_term.rs, which starts the simulator, a real TSA
// (OpenSSL's), Xvfb and tauri-driver, and checks the signed PDF with `kazasu verify` and pyHanko.
//
// Arguments come as environment variables (see `need`). Lines on stdout tell the test how far it
// got: `SHOT <file>`, `NO_TSA <text>` (then waits for a line on stdin: the TSA is configured),
// `SIGNED <text>`, `DONE`.

import readline from "node:readline";
import { By } from "selenium-webdriver";
import { STEP, expect, need, openApp } from "./app-session.mjs";
const simulator = need("SIM_ADDRESS");
const input = need("INPUT_PDF");
const output = need("OUTPUT_PDF");
const signPin = need("SIGN_PIN");
const tsaUrl = need("TSA_URL");

const stdin = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => stdin.once("line", resolve));

const { driver, find, shown, textOf, click, type, idle, shot } = await openApp();
/** The radio button of a profile (the options are redrawn: found afresh each time). */
const profile = (name) => find(`#sign-profile-${name}`);
const oneLine = (text) => text.replace(/\s+/g, " ");

try {
  // The simulator over TCP, then the sign screen with a PDF.
  await shown("#screen-readers");
  await click('input[name="reader"][value="simulator"]');
  await type("#simulator-address", simulator);
  await click("#readers-continue");
  await shown("#overview-content");
  await idle();
  await click("#nav-sign");
  const signTries = await shown("#screen-sign .pin-tries");
  await driver.wait(async () => (await signTries.getText()).includes("5 / 5"), STEP, "no tries shown before typing");
  await idle();
  await type("#sign-input", input);
  const outputField = await shown("#sign-output");
  await driver.wait(async () => (await outputField.getAttribute("value")) !== "", STEP, "no output proposed");
  await type("#sign-output", output);

  // No timestamp service yet: the standard signature is chosen, the long-term ones are disabled
  // with the reason, the government one (no timestamp) can be chosen; nothing for other files.
  await driver.wait(async () => (await profile("pades-b")).isSelected(), STEP, "the standard signature is not the default");
  expect("keeps its proof for years is disabled", !(await (await profile("pades-b-lt")).isEnabled()), "enabled without a TSA");
  expect("for decades is disabled", !(await (await profile("pades-b-lta")).isEnabled()), "enabled without a TSA");
  expect("government filings can be chosen", await (await profile("government")).isEnabled(), "disabled");
  const options = await driver.findElements(By.css("#sign-profile .profile-option"));
  expect("four options for a PDF", options.length === 4, options.length);
  const why = await textOf("#sign-profile-pades-b-lt-why");
  expect("the reason names tsa.toml", why.includes("tsa.toml"), why);
  const label = await textOf('.profile-option[data-profile="pades-b-lt"]');
  expect("plain words", label.includes("Keeps its proof for years"), label);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", await find("#sign-profile"));
  await shot("sign-profiles-no-tsa.png");
  console.log(`NO_TSA ${oneLine(why)}`);
  await nextLine(); // the test writes tsa.toml and the TSA's CA into the trust folder

  // The screen shown again reads the trust folder afresh: the long-term options are offered.
  await click("#nav-readers");
  await shown("#screen-readers");
  await click("#nav-sign");
  await idle();
  await driver.wait(async () => (await profile("pades-b-lt")).isEnabled(), STEP, "keeps its proof for years stays disabled");
  await (await profile("pades-b-lt")).click();
  await driver.wait(async () => (await profile("pades-b-lt")).isSelected(), STEP, "the choice is not taken");
  const what = await textOf("#sign-what");
  expect("what will happen names the TSA", what.includes(tsaUrl), what);
  await type("#sign-pin", signPin);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", await find("#sign-profile"));
  await shot("sign-profiles.png");
  await click("#sign-submit");
  await idle();
  const signed = await textOf("#sign-result");
  const verification = await find("#sign-result .verification");
  expect("signature checked valid", (await verification.getAttribute("data-valid")) === "true", signed);
  expect("signature trusted", (await verification.getAttribute("data-trusted")) === "true", signed);
  const used = await find("#sign-result .sign-profile");
  expect("the result names the profile", (await used.getAttribute("data-profile")) === "pades-b-lt", signed);
  expect("in plain words", (await used.getText()).includes("Keeps its proof for years"), signed);
  const level = await find("#sign-result .sign-level");
  expect("the check found B-LT", (await level.getAttribute("data-level")) === "B-LT", signed);
  console.log(`SIGNED ${oneLine(signed)}`);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await find("#sign-result"));
  await shot("signed-long-term.png");

  // The same choices in Japanese.
  await click("#lang");
  const lang = await driver.executeScript("return document.documentElement.lang");
  expect("Japanese page", lang === "ja", lang);
  const ja = await textOf('.profile-option[data-profile="pades-b-lt"]');
  expect("the option in Japanese", ja.includes("長期間証明できる"), ja);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", await find("#sign-profile"));
  await shot("sign-profiles-ja.png");
  console.log("DONE");
} catch (error) {
  try {
    await shot("failure.png");
  } catch {
    // the window may be gone
  }
  console.error(error);
  process.exitCode = 1;
} finally {
  stdin.close();
  await driver.quit();
}
