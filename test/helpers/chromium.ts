import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

const run = promisify(execFile);
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * This machine's network is closed: without these, Chromium keeps trying to reach Google's services. As root
 * (CI) it also needs --no-sandbox.
 */
const HEADLESS_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const isExecutable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Debian's chromium package: CHROMIUM_PATH if set, else /usr/bin/chromium, installed with apt-get on first
 * use when running as root (CI and fresh machines); otherwise a message that says how to install it.
 */
export async function resolveChromium(log: (message: string) => void): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (await isExecutable(configured)) return configured;
    throw new Error(`CHROMIUM_PATH is ${configured}, which is not an executable`);
  }
  if (await isExecutable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(
      "The browser test needs Chromium: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH",
    );
  }
  log("Installing Debian's chromium with apt-get (first run on this machine only)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return DEBIAN_CHROMIUM;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: HEADLESS_ARGS });
}
