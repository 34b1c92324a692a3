// GraphiQL in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//
//   node graphiql.mjs <input.json>
//
// input: {"url": "http://127.0.0.1:P/graphql", "query": "...", "screenshot": "/path.png"}
// Loads the GraphiQL page the gateway serves, types the query into its editor, runs it with the
// execute button and prints one JSON object: the query the page opened with, what the editor
// holds, the result panel's text (the whole document, and what the page shows), the requests
// that tried to leave the gateway's origin (every one is refused: the page must need none), and
// the page's console errors.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const origin = new URL(input.url).origin;
const refused = [];
const consoleErrors = [];

const profile = mkdtempSync(join(tmpdir(), "graphiql-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: CHROMIUM_FLAGS,
  viewport: { width: 1400, height: 860 },
  deviceScaleFactor: 1,
  colorScheme: "light",
});
let output;
try {
  // Only the gateway's own origin is reachable: a page that needs a CDN renders nothing here.
  await browser.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/") || url.startsWith("data:")) return route.continue();
    refused.push(url);
    return route.abort("blockedbyclient");
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));

  const response = await page.goto(input.url, { waitUntil: "load" });
  const status = response ? response.status() : null;
  const editor = page.locator(".graphiql-query-editor .CodeMirror");
  await editor.waitFor({ state: "visible", timeout: 60_000 });

  const openedWith = await editor.evaluate((node) => node.CodeMirror.getValue());
  // Type the query as a person would paste it: focus the editor, select all, replace.
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(input.query);
  const editorQuery = await editor.evaluate((node) => node.CodeMirror.getValue());

  await page.locator("button.graphiql-execute-button").click();
  const result = page.locator(".result-window .CodeMirror");
  await page.waitForFunction(
    () => {
      const node = document.querySelector(".result-window .CodeMirror");
      return node && node.CodeMirror.getValue().includes('"data"');
    },
    null,
    { timeout: 60_000 },
  );
  // Let the editor finish laying out before the screenshot.
  await page.waitForTimeout(300);
  const resultText = await result.evaluate((node) => node.CodeMirror.getValue());
  const visibleText = await page.locator(".result-window").innerText();
  const title = await page.title();
  if (input.screenshot) await page.screenshot({ path: input.screenshot });
  output = { status, title, openedWith, editorQuery, resultText, visibleText, refused, consoleErrors };
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(output) + "\n");
