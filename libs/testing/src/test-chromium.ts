import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless flags for this machine kind: no sandbox as root, and no background calls to a network that is closed. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * `describe` for browser tests. Without Chromium: skipped (and listed as skipped) on a developer's machine, a
 * failing test under CI=true, because `.ci/run` installs Chromium and a green run there must mean a browser ran.
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, body);
  } else if (process.env['CI']) {
    describe(name, () => {
      it(`needs Chromium at ${CHROMIUM_PATH}`, () => {
        throw new Error(`CI must run the browser tests: Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: Chromium is not installed at ${CHROMIUM_PATH}; apt-get install chromium)`, body);
  }
}
