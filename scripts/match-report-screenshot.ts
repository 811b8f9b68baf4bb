/**
 * The screenshot of a match report in docs/images/: an HTML report opened in headless Chromium.
 *
 *   npx ferry match report <run> --html /tmp/match-report.html
 *   npx tsx scripts/match-report-screenshot.ts /tmp/match-report.html
 */
import { pathToFileURL } from 'node:url';
import { launchChromium, resolveChromium } from '../test/helpers/chromium.js';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx scripts/match-report-screenshot.ts <report.html>');
const browser = await launchChromium(
  await resolveChromium((message) => process.stderr.write(`${message}\n`)),
);
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pathToFileURL(file).toString());
  const out = new URL('../docs/images/match-report.png', import.meta.url).pathname;
  await page.screenshot({ path: out, fullPage: true });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
