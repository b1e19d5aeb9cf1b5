// What every script driving the Kazasu app's real window shares: reading its arguments from the
// environment, starting the app through tauri-driver + WebKitWebDriver, and the few actions a
// card holder takes (find, wait until shown, click, type, wait for the card, screenshot).

import fs from "node:fs";
import path from "node:path";
import { Builder, By, Capabilities, Key, until } from "selenium-webdriver";

/** An argument the Rust test passes as an environment variable; missing is an error. */
export const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** How long one step may take (the first card read includes starting the app). */
export const STEP = 30_000;

/** Fails the script with what was expected and what was seen. */
export const expect = (what, ok, detail) => {
  if (!ok) throw new Error(`${what}: ${detail}`);
};

/**
 * Starts the app at KAZASU_APP through the tauri-driver at TAURI_DRIVER_URL (with `args` on its
 * command line) and returns the driver and the actions; screenshots go to SHOTS_DIR.
 */
export const openApp = async (args = []) => {
  const app = need("KAZASU_APP");
  const shots = need("SHOTS_DIR");
  const caps = new Capabilities();
  caps.setBrowserName("wry");
  caps.set("tauri:options", args.length ? { application: app, args } : { application: app });
  const driver = await new Builder().withCapabilities(caps).usingServer(need("TAURI_DRIVER_URL")).build();
  const find = (css) => driver.wait(until.elementLocated(By.css(css)), STEP, `no ${css}`);
  const shown = async (css) => {
    const element = await find(css);
    await driver.wait(until.elementIsVisible(element), STEP, `${css} is not shown`);
    return element;
  };
  return {
    driver,
    find,
    shown,
    textOf: async (css) => (await shown(css)).getText(),
    click: async (css) => (await shown(css)).click(),
    type: async (css, text) => {
      const element = await shown(css);
      await element.clear();
      await element.sendKeys(text, Key.TAB);
    },
    /** Waits until no card operation runs (the progress indicator is hidden again). */
    idle: async () => {
      const progress = await find("#progress");
      await driver.wait(async () => !(await progress.isDisplayed()), STEP, "the card operation did not finish");
    },
    shot: async (name) => {
      fs.writeFileSync(path.join(shots, name), await driver.takeScreenshot(), "base64");
      console.log(`SHOT ${name}`);
    },
  };
};
