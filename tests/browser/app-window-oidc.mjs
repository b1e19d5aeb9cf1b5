// Drives the Kazasu app's real window (WebKitGTK) through tauri-driver + WebKitWebDriver for
// "Log in with My Number Card" (OpenID Connect): the card holder pastes the authorization page's
// `kazasu://` link into the login screen, sees which service asks for which personal data, types
// the authentication PIN and then the signing PIN. Run by tests/tests/app_window_oidc.rs, which
// starts Redis, kazasu-rp, the Authlib demo, the simulator, Xvfb and tauri-driver, consents in the
// "browser" and checks what the demo receives.
//
// LINK_MODE is "paste" (the holder pastes the link) or "open" (the system starts the app with the
// link, as a click on "open Kazasu" does through the registered `kazasu` scheme: the login screen
// comes up filled in once the reader is chosen).
//
// Lines on stdout tell the test how far it got: `SHOT <file>`, `ASKS <text>`, `LOGGED_IN <text>`, `DONE`.


import { STEP, expect, need, openApp } from "./app-session.mjs";
const simulator = need("SIM_ADDRESS");
const link = need("APP_LINK");
const authPin = need("AUTH_PIN");
const signPin = need("SIGN_PIN");
const mode = need("LINK_MODE");

const { driver, find, shown, textOf, click, type, idle, shot } = await openApp(mode === "open" ? [link] : []);

try {
  // The reader: the simulator over TCP.
  await shown("#screen-readers");
  await (await shown('input[name="reader"][value="simulator"]')).click();
  await type("#simulator-address", simulator);
  await click("#readers-continue");
  if (mode === "open") {
    // Opened with the link: straight to the login screen, the link filled in.
    await shown("#screen-login");
    const url = await (await shown("#login-url")).getAttribute("value");
    expect("the link is filled in", url === link, url);
  } else {
    await shown("#overview-content");
    await idle();
    // The login screen: before a link, only the authentication PIN.
    await click("#nav-login");
    await idle();
    const signBox = await find("#login-sign-pin-box");
    expect("no signing PIN before the link", !(await signBox.isDisplayed()), "shown");
    // The page's link: who asks and for what, then the signing PIN's field.
    await type("#login-url", link);
  }
  const asks = await shown("#login-asks");
  await driver.wait(async () => /asks for/.test(await asks.getText()), STEP, "the screen never says who asks");
  const asked = (await asks.getText()).replace(/\s+/g, " ");
  expect("the claims are named", asked.includes("name") && asked.includes("date of birth"), asked);
  expect("nothing else is named", !asked.includes("address") && !asked.includes("gender"), asked);
  console.log(`ASKS ${asked}`);
  await shown("#login-sign-pin-box");
  await idle();
  await type("#login-pin", authPin);
  await type("#login-sign-pin", signPin);
  await shot(`oidc-${mode}-1-asks.png`);
  await click("#login-submit");
  await idle();
  const loggedIn = await textOf("#login-result");
  console.log(`LOGGED_IN ${loggedIn.replace(/\s+/g, " ")}`);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'end' })", await find("#login-result"));
  await shot(`oidc-${mode}-2-logged-in.png`);
  console.log("DONE");
} catch (error) {
  try {
    await shot(`oidc-${mode}-failure.png`);
  } catch {
    // the window may be gone
  }
  console.error(error);
  process.exitCode = 1;
} finally {
  await driver.quit();
}
