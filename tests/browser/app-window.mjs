// Drives the Kazasu app's real window (WebKitGTK) through tauri-driver + WebKitWebDriver, as a
// card holder would: choose the simulator, look at the card, see its face (a wrong then the right
// code A), log in with a wrong then the right PIN, sign a PDF (the card is pulled away the first time), look at the PIN screen, switch to
// Japanese. Run by tests/tests/app_window.rs, which starts the simulator, kazasu-rp, Xvfb and
// tauri-driver, and checks the results (pyHanko on the signed PDF, the card's counters).
//
// Arguments come as environment variables (see `need` below). Lines on stdout tell the test how
// far it got: `SHOT <file>`, `CARD_FACE <text>`, `LOGGED_IN <text>`, `READY_TO_SIGN` and `TORN` (each then waits for a
// line on stdin: the tear is armed, the card is back), `SIGNED <text>`, `PIN_CHANGED <text>`, `DONE`.

import readline from "node:readline";

import { STEP, expect, need, openApp } from "./app-session.mjs";
const simulator = need("SIM_ADDRESS");
const service = need("RP_URL");
const input = need("INPUT_PDF");
const output = need("OUTPUT_PDF");
const authPin = need("AUTH_PIN");
const signPin = need("SIGN_PIN");
const cardInfoPin = need("CARD_INFO_PIN");
const newCardInfoPin = need("NEW_CARD_INFO_PIN");
const codeA = need("CODE_A");
const wrongCodeA = need("WRONG_CODE_A");

const stdin = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => stdin.once("line", resolve));

const { driver, find, shown, textOf, click, type, idle, shot } = await openApp();

try {
  // 1. The reader: the simulator over TCP.
  await shown("#screen-readers");
  const simulatorOption = await shown('input[name="reader"][value="simulator"]');
  await simulatorOption.click();
  await type("#simulator-address", simulator);
  await shot("1-readers.png");
  await click("#readers-continue");

  // 2. The overview: certificates, expiry, tries left; no PIN asked, no try used.
  await shown("#overview-content");
  await idle();
  const authTries = await textOf('li.pin-row[data-pin="auth"] .tries');
  expect("auth tries on the overview", authTries.includes("3"), authTries);
  const authCert = await textOf('article.cert[data-slot="auth"]');
  expect("auth certificate shows its last valid day", /\b20\d\d\b/.test(authCert), authCert);
  await shot("2-overview.png");

  // 2b. The card face, from the overview: tries left first, a wrong code A (one try used), then
  // the right one; the photo is shown and the card's signature covers what is shown.
  await click("#overview-surface");
  await shown("#screen-surface");
  // The tries are re-drawn as they change: read them afresh each time.
  const codeTries = async () => {
    try {
      return await (await find("#screen-surface .pin-tries .tries")).getText();
    } catch {
      return "";
    }
  };
  await driver.wait(async () => /^\d+$/.test(await codeTries()), STEP, "no tries shown before typing code A");
  await idle();
  const full = Number(await codeTries());
  await type("#surface-code", wrongCodeA);
  await click("#surface-submit");
  await idle();
  const wrongCode = await textOf("#error");
  expect("wrong code A message", wrongCode.includes(`${full - 1} tries left`), wrongCode);
  await driver.wait(async () => (await codeTries()) === String(full - 1), STEP, "tries left not updated");
  await type("#surface-code", codeA);
  await click("#surface-submit");
  await idle();
  const photo = await shown("#surface-photo");
  await driver.wait(
    async () => await driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", photo),
    STEP,
    "the photo is not displayed",
  );
  const photoWidth = await driver.executeScript("return arguments[0].naturalWidth", photo);
  for (const id of ["#surface-name", "#surface-address", "#surface-security-code"]) {
    const image = await shown(id);
    const width = await driver.executeScript("return arguments[0].naturalWidth", image);
    expect(`${id} is displayed`, width > 0, width);
  }
  const signedLine = await shown("#surface-signed");
  const signedText = await signedLine.getText();
  expect("the card's signature covers the face", (await signedLine.getAttribute("data-signed")) === "true", signedText);
  expect("the signed line says so", /genuine/i.test(signedText), signedText);
  await driver.wait(async () => (await codeTries()) === String(full), STEP, "tries left not back to full");
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await find("#surface-result"));
  await shot("card-face.png");
  console.log(`CARD_FACE photo ${photoWidth}px wide; ${signedText.replace(/\s+/g, " ")}`);
  await click("#surface-hide");

  // 3. Log in: a wrong PIN first (one try used, two left), then the right one.
  await click("#nav-login");
  // The tries left are read from the card before anything is typed.
  const triesLine = await shown("#screen-login .pin-tries");
  await driver.wait(async () => (await triesLine.getText()).includes("3 / 3"), STEP, "no tries shown before typing");
  await idle();
  await type("#login-url", service);
  await type("#login-pin", "0000");
  await click("#login-submit");
  await idle();
  const wrong = await textOf("#error");
  expect("wrong PIN message", wrong.includes("2"), wrong);
  await shot("3-login-wrong-pin.png");
  await type("#login-pin", authPin);
  await click("#login-submit");
  await idle();
  const loggedIn = await textOf("#login-result");
  console.log(`LOGGED_IN ${loggedIn.replace(/\s+/g, " ")}`);
  await shot("4-logged-in.png");

  // 4. Sign a PDF. The simulator tears the card away as it signs: a clear message, no file.
  await click("#nav-sign");
  const signTries = await shown("#screen-sign .pin-tries");
  await driver.wait(async () => (await signTries.getText()).includes("5 / 5"), STEP, "no tries shown before typing");
  await idle();
  await type("#sign-input", input);
  const outputField = await shown("#sign-output");
  await driver.wait(async () => (await outputField.getAttribute("value")) !== "", STEP, "no output proposed");
  await type("#sign-output", output);
  const visible = await shown("#sign-visible");
  await driver.wait(async () => await visible.isEnabled(), STEP, "the visible-signature box stays disabled for a PDF");
  if (!(await visible.isSelected())) await visible.click();
  await type("#sign-pin", signPin);
  console.log("READY_TO_SIGN");
  await nextLine(); // the test arms the simulator's tear
  await click("#sign-submit");
  await idle();
  const torn = await textOf("#error");
  expect("card pulled away message", /card/i.test(torn), torn);
  await shot("5-sign-card-removed.png");
  console.log(`TORN ${torn.replace(/\s+/g, " ")}`);
  await nextLine(); // the test puts the card back

  await type("#sign-pin", signPin);
  await click("#sign-submit");
  await idle();
  const signed = await textOf("#sign-result");
  const verification = await find("#sign-result .verification");
  expect("signature checked valid", (await verification.getAttribute("data-valid")) === "true", signed);
  expect("signature trusted", (await verification.getAttribute("data-trusted")) === "true", signed);
  console.log(`SIGNED ${signed.replace(/\s+/g, " ")}`);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await find("#sign-result"));
  await shot("6-signed.png");

  // 5. Change the card-info PIN (the test then checks the new one against the card).
  await click("#nav-pin");
  const kind = await shown("#pin-kind");
  await idle(); // the screen reads the tries left first; the choice is locked meanwhile
  await driver.wait(async () => await kind.isEnabled(), STEP, "the PIN choice stays disabled");
  await driver.executeScript(
    "arguments[0].value = 'card_info'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }))",
    kind,
  );
  await idle();
  const chosen = await kind.getAttribute("value");
  expect("the card-info PIN chosen", chosen === "card_info", chosen);
  await type("#pin-current", cardInfoPin);
  await type("#pin-new", newCardInfoPin);
  await type("#pin-confirm", newCardInfoPin);
  await shot("7-change-pin.png");
  await click("#pin-submit");
  await idle();
  console.log(`PIN_CHANGED ${(await textOf("#pin-result")).replace(/\s+/g, " ")}`);

  // 6. The same card in Japanese.
  await click("#nav-overview");
  await click("#lang");
  await click("#overview-refresh");
  await idle();
  const lang = await driver.executeScript("return document.documentElement.lang");
  expect("Japanese page", lang === "ja", lang);
  await shot("8-overview-ja.png");
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
