// The healthz config `healthz lint --config` reads: what the service's createHealth() is set up
// with (check deadlines per probe, shutdown timings), so the manifest can be checked against it.
import { CliError, isCliError } from '../errors.js'
import { echo } from '../escape.js'
import { assertKnownOptions, durationOption } from '../options.js'
import { isRecord } from './load.js'

/** One check of a probe: its name and deadline. */
export interface ConfigCheck {
  readonly name: string
  /** The check's `timeout` in ms. @default 500 (`DEFAULT_TIMEOUT` of `@healthz/core`) */
  readonly timeout: number
}

/** The shutdown options of the service (`createHealth({ shutdown })`), in ms. */
export interface ConfigShutdown {
  /** @default 10000 (healthz's default on Kubernetes) */
  readonly drainDelay: number
  /** @default 10000 */
  readonly gracePeriod: number
  /** The timeouts of the `onShutdown` hooks, in ms (a `createHealthServer` counts as one of 5000). @default [] */
  readonly hookTimeouts: readonly number[]
  /** `shutdown.terminationGracePeriodSeconds`, when the service sets it. */
  readonly terminationGracePeriodSeconds: number | undefined
}

/**
 * A healthz config: a YAML or JSON file that states what the service's `createHealth()` is given.
 *
 * @example
 * ```yaml
 * container: orders          # optional: the container it describes (default: every container)
 * checks:
 *   readiness: [{ name: postgres, timeout: 500 }, { name: redis, timeout: 300 }]
 *   startup: [{ name: migrations, timeout: 5000 }]
 * shutdown: { drainDelay: 10000, gracePeriod: 10000, hookTimeouts: [5000] }
 * ```
 */
export interface HealthzConfig {
  /** The container the config describes; unset: every container of every workload. */
  readonly container: string | undefined
  readonly checks: {
    readonly liveness: readonly ConfigCheck[]
    readonly readiness: readonly ConfigCheck[]
    readonly startup: readonly ConfigCheck[]
  }
  /** Present when the file has a `shutdown` section. */
  readonly shutdown: ConfigShutdown | undefined
}

/**
 * The default deadline of a check in `@healthz/core` (`DEFAULT_TIMEOUT`), in ms: a check named
 * in a config without a `timeout` gets it.
 * @default 500
 * @example
 * ```ts
 * const timeout = check.timeout ?? DEFAULT_CHECK_TIMEOUT
 * ```
 */
export const DEFAULT_CHECK_TIMEOUT = 500

const PROBES = ['liveness', 'readiness', 'startup'] as const

/**
 * Parses a healthz config from YAML or JSON text.
 *
 * @throws {CliError} `CONFIG` when the text is not such a config, saying which key is wrong.
 * @example
 * ```ts
 * const config = await parseHealthzConfig('checks:\n  readiness: [{ name: postgres, timeout: 800 }]\n', 'healthz.yaml')
 * ```
 */
export async function parseHealthzConfig(text: string, file = 'healthz config'): Promise<HealthzConfig> {
  const { parse } = await import('yaml')
  let value: unknown
  try {
    value = parse(text, { prettyErrors: false })
  } catch (error) {
    throw new CliError(`${file}: not valid YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { code: 'CONFIG', cause: error })
  }
  const fail = (message: string): CliError =>
    new CliError(`${echo(file, 200)}: ${message.replace(/\.$/, '')}. A healthz config looks like: { checks: { readiness: [{ name: postgres, timeout: 500 }] }, shutdown: { drainDelay: 10000, gracePeriod: 10000 } }`, { code: 'CONFIG' })
  // The rules and messages of every @healthz package (options.ts), with the file and an example added.
  const known = (object: Record<string, unknown>, keys: readonly string[], where: string): void => {
    rethrow(() => assertKnownOptions(object, keys, where, 'CONFIG'), fail)
  }
  if (!isRecord(value)) throw fail('expected a mapping at the top')
  try {
    assertKnownOptions(value, ['container', 'checks', 'shutdown'], echo(file, 200), 'CONFIG')
  } catch (error) {
    if (!isCliError(error)) throw error
    throw new CliError(`${error.message.replace(/\.$/, '')}. A healthz config looks like: { checks: { readiness: [{ name: postgres, timeout: 500 }] } }`, { code: 'CONFIG' })
  }
  if (value.container !== undefined && typeof value.container !== 'string') throw fail('container must be a container name')

  const checks = { liveness: [] as ConfigCheck[], readiness: [] as ConfigCheck[], startup: [] as ConfigCheck[] }
  if (value.checks !== undefined) {
    if (!isRecord(value.checks)) throw fail('checks must be a mapping of liveness, readiness and startup to lists of checks')
    known(value.checks, PROBES, 'checks')
    for (const [probe, list] of Object.entries(value.checks)) {
      if (!Array.isArray(list)) throw fail(`checks.${probe} must be a list like [{ name: postgres, timeout: 500 }]`)
      checks[probe as (typeof PROBES)[number]] = list.map((entry, index) => {
        const at = `checks.${probe}[${index}]`
        if (typeof entry === 'string') return { name: entry, timeout: DEFAULT_CHECK_TIMEOUT }
        if (!isRecord(entry) || typeof entry.name !== 'string') throw fail(`${at} must be a check name or { name, timeout }`)
        known(entry, ['name', 'timeout'], at)
        return { name: entry.name, timeout: ms(entry.timeout, DEFAULT_CHECK_TIMEOUT, `${at}.timeout`, fail) }
      })
    }
  }

  let shutdown: ConfigShutdown | undefined
  if (value.shutdown !== undefined) {
    const s = value.shutdown
    if (!isRecord(s)) throw fail('shutdown must be a mapping like { drainDelay: 10000, gracePeriod: 10000 }')
    known(s, ['drainDelay', 'gracePeriod', 'hookTimeouts', 'terminationGracePeriodSeconds'], 'shutdown')
    if (s.hookTimeouts !== undefined && !Array.isArray(s.hookTimeouts)) throw fail('shutdown.hookTimeouts must be a list of milliseconds, like [5000]')
    const grace = s.terminationGracePeriodSeconds
    if (grace !== undefined && (typeof grace !== 'number' || !(grace > 0))) throw fail('shutdown.terminationGracePeriodSeconds must be a number of seconds above 0')
    shutdown = {
      drainDelay: ms(s.drainDelay, 10_000, 'shutdown.drainDelay', fail, true),
      gracePeriod: ms(s.gracePeriod, 10_000, 'shutdown.gracePeriod', fail, true),
      hookTimeouts: ((s.hookTimeouts as unknown[] | undefined) ?? []).map((t, i) => ms(t, 5000, `shutdown.hookTimeouts[${i}]`, fail)),
      terminationGracePeriodSeconds: grace as number | undefined,
    }
  }
  return { container: value.container as string | undefined, checks, shutdown }
}

/** A duration in ms, with durationOption's rules and message (2^31 − 1 ms at most). */
function ms(value: unknown, fallback: number, key: string, fail: (message: string) => CliError, zero = false): number {
  return rethrow(() => durationOption(value, fallback, key, { zero, code: 'CONFIG' }), fail)
}

/** Runs `validate`, giving its CliError the file name and the example of `fail`. */
function rethrow<T>(validate: () => T, fail: (message: string) => CliError): T {
  try {
    return validate()
  } catch (error) {
    if (isCliError(error)) throw fail(error.message)
    throw error
  }
}
