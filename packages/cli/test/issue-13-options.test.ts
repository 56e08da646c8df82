// Issue 13, items 4, 6 and 7 in the CLI: one validation for every duration and count (the rules and
// messages of @healthz/core's options.ts: durations capped at 2^31 − 1 ms), unknown keys and
// unknown flags refused with a "did you mean", and echoed values cut short. The CLI keeps its own
// copy (it does not depend on @healthz/core); these tests hold the copy to core's messages.
import { describe, expect, it } from 'vitest'
import { assertKnownOptions, countOption, durationOption } from '@healthz/core'
import { isCliError, lint, parseHealthzConfig, probe, renderManifest } from '../src/index.js'
import { cli } from './helpers.js'

/** The message core's validator gives for the same input. */
function coreMessage(validate: () => unknown): string {
  try {
    validate()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('core accepted it')
}

async function configError(text: string): Promise<string> {
  try {
    await parseHealthzConfig(text, 'healthz.yaml')
  } catch (error) {
    expect(isCliError(error) && error.code).toBe('CONFIG')
    return (error as Error).message
  }
  throw new Error(`accepted: ${text}`)
}

describe('issue-13 item 4: one duration and count validation, with core\'s messages', () => {
  it('issue-13 item 4: config check timeouts follow durationOption: above 0, at most 2^31 − 1 ms, same message', async () => {
    for (const [yaml, value] of [['0', 0], ['-1', -1], ['fast', 'fast'], ['2147483648', 2_147_483_648], ['.inf', Number.POSITIVE_INFINITY]] as const) {
      const message = await configError(`checks:\n  readiness: [{ name: pg, timeout: ${yaml} }]\n`)
      expect(message).toContain(coreMessage(() => durationOption(value, 0, 'checks.readiness[0].timeout')))
    }
    const ok = await parseHealthzConfig('checks:\n  readiness: [{ name: pg, timeout: 2147483647 }, { name: r, timeout: 1.5 }]\n')
    expect(ok.checks.readiness.map((check) => check.timeout)).toEqual([2_147_483_647, 1.5])
  })

  it('issue-13 item 4: config shutdown durations allow 0 where core does, with the same message and cap', async () => {
    expect((await parseHealthzConfig('shutdown: { drainDelay: 0 }\n')).shutdown?.drainDelay).toBe(0)
    for (const [key, zero] of [['drainDelay', true], ['gracePeriod', true], ['hookTimeouts', false]] as const) {
      const yaml = key === 'hookTimeouts' ? `shutdown: { hookTimeouts: [3000000000] }\n` : `shutdown: { ${key}: 3000000000 }\n`
      const what = key === 'hookTimeouts' ? 'shutdown.hookTimeouts[0]' : `shutdown.${key}`
      expect(await configError(yaml)).toContain(coreMessage(() => durationOption(3_000_000_000, 0, what, { zero })))
    }
  })

  it('issue-13 item 4: --timeout is capped at 2^31 − 1 ms with core\'s wording, and 0 is refused', async () => {
    const long = await cli(['probe', 'http://127.0.0.1:1/', '--timeout', '35792m'])
    expect(long.status).toBe(2)
    expect(long.stderr).toContain('--timeout must be a duration above 0 up to 2147483647 ms (about 24.8 days, the longest a Node timer holds), got "35792m".')
    const zero = await cli(['probe', 'http://127.0.0.1:1/', '--timeout', '0.4ms'])
    expect(zero.status).toBe(2)
    expect(zero.stderr).toContain('--timeout must be a duration above 0 up to 2147483647 ms')
  })

  it('issue-13 item 4: probe() refuses a timeout a Node timer cannot hold, with core\'s message', async () => {
    const error = await probe({ url: 'http://127.0.0.1:1/', timeout: 2 ** 31 }).catch((caught: unknown) => caught)
    expect(isCliError(error) && error.code).toBe('USAGE')
    expect((error as Error).message).toBe(coreMessage(() => durationOption(2 ** 31, 0, 'timeout')))
  })

  it('issue-13 item 4: manifest counts follow countOption: whole numbers in range, same message', async () => {
    for (const [flag, value, min, max] of [
      ['--port', '70000', 1, 65535],
      ['--port', 'http', 1, 65535],
      ['--boot-seconds', '0', 1, 2_147_483_647],
      ['--boot-seconds', '99999999999', 1, 2_147_483_647],
      ['--pre-stop-seconds', '1.5', 0, 2_147_483_647],
    ] as const) {
      const run = await cli(['manifest', flag, value])
      expect(run.status).toBe(2)
      const given = /^\d+$/.test(value) ? Number(value) : value
      expect(run.stderr).toBe(`healthz manifest: ${coreMessage(() => countOption(given, 0, flag, { min, max }))}\n`)
    }
  })
})

describe('issue-13 item 6: unknown keys and flags are refused with a did-you-mean', () => {
  it('issue-13 item 6: unknown keys in a lint config file, at every level, with core\'s message', async () => {
    for (const [yaml, known, where] of [
      ['shutdwon: {}\n', ['container', 'checks', 'shutdown'], 'healthz.yaml'],
      ['checks: { readyness: [] }\n', ['liveness', 'readiness', 'startup'], 'checks'],
      ['checks: { readiness: [{ name: pg, timout: 800 }] }\n', ['name', 'timeout'], 'checks.readiness[0]'],
      ['shutdown: { drainDelayMs: 1000 }\n', ['drainDelay', 'gracePeriod', 'hookTimeouts', 'terminationGracePeriodSeconds'], 'shutdown'],
    ] as const) {
      const message = await configError(yaml)
      const unknown = /(shutdwon|readyness|timout|drainDelayMs)/.exec(yaml)?.[1] as string
      expect(message).toContain(coreMessage(() => assertKnownOptions({ [unknown]: 1 }, known, where)))
      expect(message).toContain('did you mean')
    }
  })

  it('issue-13 item 6: unknown command-line flags name the nearest flag', async () => {
    for (const [args, suggestion] of [
      [['probe', 'http://127.0.0.1:1/', '--timout', '2s'], '--timeout'],
      [['lint', 'x.yaml', '--formt', 'json'], '--format'],
      [['manifest', '--boot-second', '5'], '--boot-seconds'],
      [['lint', 'x.yaml', '--disabled', 'all'], '--disable'],
    ] as const) {
      const run = await cli(args)
      expect(run.status).toBe(2)
      const flag = args.find((arg) => arg.startsWith('--')) as string
      expect(run.stderr).toBe(`healthz ${args[0]}: unknown option "${flag}"; did you mean "${suggestion}"?. Remove it or correct its name.\n`)
    }
    const far = await cli(['manifest', '--colour'])
    expect(far.stderr).toContain('unknown option "--colour"; known options: --port, --boot-seconds, --prefix, --name, --image, --pre-stop-seconds, --grpc, --kubernetes-version, --liveness-port, --help.')
  })

  it('issue-13 item 6: the functions refuse unknown option keys too', async () => {
    expect(() => renderManifest({ bootSecond: 5 } as never)).toThrow('renderManifest: unknown option "bootSecond"; did you mean "bootSeconds"?')
    await expect(probe({ url: 'http://127.0.0.1:1/', timout: 5 } as never)).rejects.toThrow('probe: unknown option "timout"; did you mean "timeout"?')
    await expect(lint([], { disabled: [] } as never)).rejects.toThrow('lint: unknown option "disabled"; did you mean "disable"?')
  })
})

describe('issue-13 item 6: bad header values are usage errors', () => {
  it('issue-13 item 6: a --header node:http refuses is a usage error, not an unexpected error with a stack', async () => {
    const run = await cli(['probe', 'http://127.0.0.1:1/', '--header', 'x-forged: a\r\nhost: evil'])
    expect(run.status).toBe(2)
    expect(run.stderr).not.toContain('unexpected error')
    expect(run.stderr).toMatch(/^healthz probe: --header: /)
    expect(run.stderr.split('\n')).toHaveLength(2)
  })
})

describe('issue-13 item 7: echoed values are cut short', () => {
  it('issue-13 item 7: every usage error echoes at most about 60 characters of what it was given', async () => {
    const huge = 'x'.repeat(10_000)
    for (const args of [
      ['probe', 'http://127.0.0.1:1/', '--timeout', huge],
      ['probe', 'http://127.0.0.1:1/', '--expect', huge],
      ['probe', 'http://127.0.0.1:1/', '--header', huge],
      ['probe', huge],
      ['probe', `http://${huge}:99999/`],
      ['lint', 'x.yaml', '--format', huge],
      ['lint', 'x.yaml', '--disable', huge],
      ['manifest', '--port', huge],
      ['manifest', '--prefix', huge],
      ['manifest', '--image', `${huge} x`],
      [huge],
      [`--${huge}`],
      ['probe', 'http://127.0.0.1:1/', `--${huge}`],
    ]) {
      const run = await cli(args)
      expect(run.status).toBe(2)
      // The echo is cut at 60 characters; the message around it is bounded (`--disable` lists every rule id).
      expect(run.stderr).not.toContain('x'.repeat(61))
      expect(run.stderr.length).toBeLessThan(800)
      expect(run.stderr).toContain('characters)')
    }
  })

  it('issue-13 item 7: a config file echoes at most about 60 characters of a bad key or value', async () => {
    const huge = 'y'.repeat(10_000)
    for (const yaml of [`${huge}: 1\n`, `checks: { readiness: [{ name: pg, timeout: "${huge}" }] }\n`, `container: [${huge}]\n`]) {
      const message = await configError(yaml)
      expect(message.length).toBeLessThan(500)
    }
  })
})
