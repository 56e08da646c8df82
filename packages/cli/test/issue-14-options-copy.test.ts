// Issue 14: "the CLI may keep its own copy only if it must stay free of core, and then a test
// pins the two to the same rules and defaults". The CLI's src/options.ts is that copy (the CLI
// has no runtime dependency on @healthz/core); these tests run both validators over the same
// tables of inputs, including the edge of every range and every defaulted setting, and read
// core's defaults back through its public API. (issue-13-options.test.ts checks the messages
// the commands and the config file give.)
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as core from '@healthz/core'
import { ASSUMED_GRACE_PERIOD, DEFAULT_CHECK_TIMEOUT, lint, parseHealthzConfig } from '../src/index.js'
import { escapeControl } from '../src/escape.js'
import * as copy from '../src/options.js'

/** What a validator did with an input: the value it returned, or the message it threw. */
function outcome(validate: () => unknown): { value: unknown } | { message: string } {
  try {
    return { value: validate() }
  } catch (error) {
    return { message: (error as Error).message }
  }
}

const NUMBERS: readonly unknown[] = [
  undefined, 0, -0, -1, 0.5, 1, 1.5, 2, 10, 11, 65535, 65536,
  2_147_483_647, 2_147_483_648, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2,
  Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
  '5', '', null, true, [], [1], {}, { a: 1 }, 10n, Symbol('s'), () => 1, new Date(0), 'x'.repeat(200),
]

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('issue-14: the CLI copy of the option rules matches @healthz/core, rule by rule', () => {
  it('issue-14: durationOption: same value or same message, with and without zero, and with no check at all (zero defaults to false)', () => {
    for (const value of NUMBERS) {
      expect(outcome(() => copy.durationOption(value, 7, 'x')), String(value)).toEqual(outcome(() => core.durationOption(value, 7, 'x')))
      for (const zero of [false, true]) {
        expect(outcome(() => copy.durationOption(value, 7, 'x', { zero })), `${String(value)} zero ${zero}`).toEqual(outcome(() => core.durationOption(value, 7, 'x', { zero })))
      }
    }
    expect(copy.MAX_DURATION_MS).toBe(core.MAX_DURATION_MS)
  })

  it('issue-14: countOption: same value or same message for every range, and with no check at all (min 1, no max)', () => {
    for (const value of NUMBERS) {
      expect(outcome(() => copy.countOption(value, 7, 'x')), String(value)).toEqual(outcome(() => core.countOption(value, 7, 'x')))
      for (const check of [{ min: 0 }, { max: 10 }, { min: 2, max: 10 }, { min: 1, max: 65_535 }, { min: 0, max: copy.MAX_INT32 }]) {
        expect(outcome(() => copy.countOption(value, 7, 'x', check)), `${String(value)} ${JSON.stringify(check)}`).toEqual(outcome(() => core.countOption(value, 7, 'x', check)))
      }
    }
  })

  it('issue-14: assertKnownOptions: the same refusals and the same did-you-mean, for typos, units appended, keys cut short, and far-off keys', () => {
    const known = ['timeout', 'drainDelay', 'gracePeriod', 'readiness', 'liveness', 'serve', 'service', 'port']
    const keys = [
      'timout', 'Timeout', 'drainDelayMs', 'timeoutMillis', 'gracePeriodSeconds', 'ready', 'readi', 'livnes', 'live', 'serv', 'servic',
      'prot', 'pot', 'colour', 'x', 'zz', 'k'.repeat(70), 'q'.repeat(10_000), 'a\nb', '',
    ]
    for (const key of keys) {
      expect(outcome(() => copy.assertKnownOptions({ [key]: 1 }, known, 'where')), key).toEqual(outcome(() => core.assertKnownOptions({ [key]: 1 }, known, 'where')))
    }
    for (const options of [null, undefined, [], 5, 'text', () => 1, {}, { timeout: 1 }]) {
      expect(outcome(() => copy.assertKnownOptions(options, known, 'where')), String(options)).toEqual(outcome(() => core.assertKnownOptions(options, known, 'where')))
    }
  })

  it('issue-14: describeValue: the same text and the same cut (60 characters), the CLI escaping control characters on top', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const values: unknown[] = [...NUMBERS, circular, new Map(), Object.create(null), 'y'.repeat(60), 'y'.repeat(61), 'é'.repeat(100), ['z'.repeat(100)], 'line\nbreak', `\u001b[31m${'r'.repeat(80)}`]
    for (const [index, value] of values.entries()) expect(copy.describeValue(value), `value ${index}`).toBe(escapeControl(core.describeValue(value)))
  })
})

describe('issue-14: the defaults the CLI copies are core\'s', () => {
  it('issue-14: a check without a timeout in a config gets core\'s DEFAULT_TIMEOUT', async () => {
    expect(DEFAULT_CHECK_TIMEOUT).toBe(core.DEFAULT_TIMEOUT)
    const config = await parseHealthzConfig('checks:\n  readiness: [postgres, { name: redis }]\n')
    expect(config.checks.readiness.map((check) => check.timeout)).toEqual([core.DEFAULT_TIMEOUT, core.DEFAULT_TIMEOUT])
  })

  it('issue-14: shutdown defaults (drainDelay on Kubernetes, gracePeriod, terminationGracePeriodSeconds) are the ones core runs with', async () => {
    // Core says its defaults in the start-up budget warning: a 20 s hook pushes the defaults over the default budget.
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1')
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const health = core.createHealth({ shutdown: { signals: false, exit: false }, runtime: false })
    try {
      health.onShutdown(() => undefined, { timeout: 20_000 })
    } finally {
      health.close()
    }
    const message = String(emit.mock.calls[0]?.[0])
    const [, drainDelay, gracePeriod, budget] = /drainDelay (\d+) \+ gracePeriod (\d+) .* terminationGracePeriodSeconds (\d+) s/.exec(message) ?? []
    expect([drainDelay, gracePeriod, budget].map(Number)).toEqual([10_000, 10_000, 30])

    const config = await parseHealthzConfig('shutdown: {}\n')
    expect(config.shutdown).toMatchObject({ drainDelay: Number(drainDelay), gracePeriod: Number(gracePeriod) })
    // Without a config, lint assumes core's default gracePeriod for in-flight requests.
    expect(ASSUMED_GRACE_PERIOD * 1000).toBe(Number(gracePeriod))
    // And a pod without terminationGracePeriodSeconds is counted at the same 30 s (a healthz
    // service by its paths: the drain arithmetic is healthz's, so it applies to those only).
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: app\n      livenessProbe: { httpGet: { path: /livez, port: 8080 } }\n      readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 30, failureThreshold: 3 }\n'
    const { findings } = await lint([{ file: 'pod.yaml', text: pod }])
    expect(findings.find((finding) => finding.rule === 'shutdown-drain-budget')?.message).toContain(`terminationGracePeriodSeconds ${budget} (the default)`)
  })
})
