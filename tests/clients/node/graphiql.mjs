// GraphiQL in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//
//   node graphiql.mjs <input.json>
//
// input: {"url": "http://127.0.0.1:P/graphql", "query": "...", "screenshot": "/path.png"}
// Loads the GraphiQL page the gateway serves, types the query into the editor, runs it with the
// execute button and prints one JSON object: what the editor holds, the result panel's text (the
// whole document, and what the page shows), which CDN files were served from node_modules, which
// requests were refused, and the page's console errors.
//
// The page loads React and GraphiQL from unpkg.com with SRI hashes. The test machines reach no
// CDN, so those URLs are answered with the same files from this folder's node_modules (the npm
// registry's copies of the same versions; the browser checks them against the page's hashes).
// Every other request that leaves the gateway's origin is refused and reported.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const CDN = "https://unpkg.com/";
const CONTENT_TYPES = { ".js": "application/javascript", ".css": "text/css" };
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
const mirrored = [];
const refused = [];
const consoleErrors = [];

/** `https://unpkg.com/name@1.2.3/path` -> the file in node_modules, if that exact version is here. */
function mirror(url) {
  const spec = url.slice(CDN.length).split("?")[0];
  const match = /^((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/.exec(spec);
  if (!match) return { error: `not a pinned unpkg file: ${url}` };
  const [, name, version, path] = match;
  const root = join(HERE, "node_modules", name);
  let installed;
  try {
    installed = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  } catch {
    return { error: `${name} is not in tests/clients/node/package.json` };
  }
  if (installed !== version) {
    return { error: `the page asks for ${name}@${version}; package.json pins ${installed}` };
  }
  const extension = path.slice(path.lastIndexOf("."));
  return { body: readFileSync(join(root, path)), contentType: CONTENT_TYPES[extension] };
}

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
  await browser.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/")) return route.continue();
    if (url.startsWith(CDN)) {
      const file = mirror(url);
      if (file.body) {
        mirrored.push(url);
        return route.fulfill({
          status: 200,
          body: file.body,
          headers: {
            "content-type": file.contentType ?? "application/octet-stream",
            "access-control-allow-origin": "*",
          },
        });
      }
      refused.push(`${url} (${file.error})`);
      return route.fulfill({ status: 404, body: file.error });
    }
    if (url.startsWith("data:")) return route.continue();
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
  output = { status, title, editorQuery, resultText, visibleText, mirrored, refused, consoleErrors };
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(output) + "\n");
