// A real browser for the status-page tests: Debian's Chromium driven by playwright-core with an
// explicit executable path (no browser download is possible here). `.ci/run` installs the
// `chromium` package when it is missing; outside CI a missing browser skips the browser tests
// with the reason printed, and with CI set it fails them.
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { chromium } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

/** The Chromium binary: `CHROMIUM_BIN`, else the first of the Debian paths that exists. */
export function chromiumPath(): string | undefined {
  const given = process.env.CHROMIUM_BIN
  if (given !== undefined && given !== '') return given
  return CANDIDATES.find((path) => existsSync(path))
}

/**
 * Why the browser tests cannot run here, or undefined when they can. With CI set a missing
 * browser is an error the caller must not skip on: `browserMissing()` then throws.
 */
export function browserMissing(): string | undefined {
  if (chromiumPath() !== undefined) return undefined
  const reason = 'no Chromium binary (apt-get install -y chromium, or set CHROMIUM_BIN)'
  if (process.env.CI) throw new Error(`${reason}: the browser tests must run in CI`)
  console.warn(`[browser tests] skipped: ${reason}`)
  return reason
}

/** Launches headless Chromium (sandbox off: CI runs as root in a container). */
export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error('no Chromium binary (apt-get install -y chromium, or set CHROMIUM_BIN)')
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
}
