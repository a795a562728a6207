import { chromium, type Browser } from 'playwright-core'

/**
 * Debian's Chromium, headless, with nothing that reaches out to the network by itself.
 * Never a downloaded browser: `.ci/run` installs the `chromium` package.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}
