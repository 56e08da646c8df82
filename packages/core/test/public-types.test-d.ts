// Issue 14: the types users write against in their own code and tests. A change here that would
// break a user's build (a field renamed, removed or narrowed, an option that stops being optional,
// an event that no longer narrows by `type`) fails this file; adding a field does not.
// Run by vitest's typecheck (`vitest run`; not executed) and by `pnpm run typecheck`.
import { choiceOption, createHealth, defineCheck, HEALTHZ_CHANNELS, runCheck, SPRING_CONTENT_TYPE } from '@healthz/core'
import type {
  CheckCacheHitMessage,
  CheckChangeMessage,
  CheckRunMessage,
  CheckSnapshot,
  HealthSnapshot,
  ProbeChangeMessage,
  ProbeResponseMessage,
  ProbeSnapshot,
  RuntimeStats,
  ShutdownPhaseMessage,
  StartedMessage,
  CheckChangeEvent,
  CheckContext,
  CheckDefinition,
  CheckOptions,
  CheckOutcome,
  CheckReport,
  CheckResult,
  CheckStatus,
  FormatContext,
  FormatFunction,
  FormattedResponse,
  Health,
  HealthChangeEvent,
  HealthOptions,
  HealthReport,
  PhaseChangeEvent,
  ProbeChangeEvent,
  ProbeFormats,
  ResponseFormat,
  ResponseFormatName,
  SpringBody,
  TerminusBody,
  ProbeKind,
  ShutdownPhase,
  StartedEvent,
} from '@healthz/core'
import { describe, expectTypeOf, test } from 'vitest'

/** A value written as users write it, checked against the type (excess properties included). */
const accepts = <T>(value: T): T => value

describe('check results', () => {
  test('runCheck takes a definition or plain options, and resolves with a CheckResult', () => {
    expectTypeOf(runCheck).parameter(0).toEqualTypeOf<CheckDefinition | CheckOptions>()
    expectTypeOf(runCheck).returns.toEqualTypeOf<Promise<CheckResult>>()
    expectTypeOf(runCheck({ name: 'db', run: () => {} })).resolves.toEqualTypeOf<CheckResult>()
  })

  test('CheckResult has what tests assert on', () => {
    expectTypeOf<CheckResult['name']>().toEqualTypeOf<string>()
    expectTypeOf<CheckResult['status']>().toEqualTypeOf<CheckStatus>()
    expectTypeOf<CheckStatus>().toEqualTypeOf<'pass' | 'warn' | 'fail'>()
    expectTypeOf<CheckResult['observedValue']>().toEqualTypeOf<string | number | boolean | null>()
    expectTypeOf<CheckResult['observedUnit']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<CheckResult['output']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<CheckResult['time']>().toEqualTypeOf<number>()
    expectTypeOf<CheckResult['duration']>().toEqualTypeOf<number>()
    expectTypeOf<CheckResult['error']>().toEqualTypeOf<Error | undefined>()
  })

  test('a check may return nothing, a partial CheckOutcome, or a promise of either', () => {
    expectTypeOf<{}>().toExtend<CheckOutcome>()
    accepts<CheckOutcome>({ status: 'warn', observedValue: 0.93, observedUnit: 'ratio', output: 'disk 93% full' })
    accepts<CheckOutcome>({ observedValue: null })
    expectTypeOf<CheckOptions['run']>().toExtend<(context: CheckContext) => unknown>()
    expectTypeOf<() => void>().toExtend<CheckOptions['run']>()
    expectTypeOf<() => Promise<void>>().toExtend<CheckOptions['run']>()
    expectTypeOf<() => Promise<CheckOutcome>>().toExtend<CheckOptions['run']>()
    expectTypeOf<() => CheckOutcome>().toExtend<CheckOptions['run']>()
    // @ts-expect-error a status outside pass | warn | fail
    accepts<CheckOutcome>({ status: 'ok' })
  })

  test('the context a check runs with', () => {
    expectTypeOf<CheckContext['signal']>().toEqualTypeOf<AbortSignal>()
    expectTypeOf<CheckContext['name']>().toEqualTypeOf<string>()
    expectTypeOf<CheckContext['deadline']>().toEqualTypeOf<number>()
  })
})

describe('options', () => {
  test('CheckOptions: a name and a run function; everything else optional', () => {
    accepts<CheckOptions>({ name: 'db', run: async () => {} })
    accepts<CheckOptions>({
      name: 'db',
      kind: 'dependency',
      componentType: 'datastore',
      measurement: 'connections',
      timeout: 1_000,
      cache: 2_000,
      interval: 5_000,
      maxAge: 15_000,
      jitter: 0.1,
      critical: false,
      failureThreshold: 3,
      successThreshold: 1,
      run: () => ({ status: 'pass' }),
    })
    expectTypeOf({ run: () => {} }).not.toExtend<CheckOptions>()
    expectTypeOf({ name: 'db' }).not.toExtend<CheckOptions>()
    expectTypeOf(defineCheck).parameter(0).toExtend<CheckOptions>()
    expectTypeOf(defineCheck({ name: 'db', run: () => {} })).toEqualTypeOf<CheckDefinition>()
  })

  test('HealthOptions: every option is optional', () => {
    expectTypeOf({}).toExtend<HealthOptions>()
    expectTypeOf(createHealth).parameter(0).toEqualTypeOf<HealthOptions | undefined>()
    expectTypeOf(createHealth).returns.toEqualTypeOf<Health>()
    const check = defineCheck({ name: 'db', run: () => {} })
    accepts<HealthOptions>({
      service: { name: 'orders', version: '2.14.0' },
      liveness: [check],
      readiness: [check, { name: 'cache', run: () => {} }],
      startup: [check],
      paths: { liveness: '/livez', readiness: '/readyz', startup: '/startupz' },
      prefix: '/internal',
      details: 'never',
      onError: (error) => console.error(error.message),
      runtime: false,
    })
    accepts<HealthOptions>({ details: (request) => request.path === '/readyz' })
    accepts<HealthOptions>({ details: async () => true })
    // @ts-expect-error details is 'never', 'always' or a function
    accepts<HealthOptions>({ details: 'sometimes' })
    // @ts-expect-error a misspelt option
    accepts<HealthOptions>({ readyness: [] })
  })
})

describe('health reports', () => {
  test('health.probe resolves with a HealthReport', () => {
    expectTypeOf<Health['probe']>().parameter(0).toEqualTypeOf<ProbeKind>()
    expectTypeOf<ProbeKind>().toEqualTypeOf<'liveness' | 'readiness' | 'startup'>()
    expectTypeOf<Health['probe']>().returns.toEqualTypeOf<Promise<HealthReport>>()
  })

  test('HealthReport', () => {
    expectTypeOf<HealthReport['probe']>().toEqualTypeOf<ProbeKind>()
    expectTypeOf<HealthReport['status']>().toEqualTypeOf<CheckStatus>()
    expectTypeOf<HealthReport['started']>().toEqualTypeOf<boolean>()
    expectTypeOf<HealthReport['output']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<HealthReport['notes']>().toEqualTypeOf<readonly string[]>()
    expectTypeOf<HealthReport['checks']>().toEqualTypeOf<readonly CheckReport[]>()
    expectTypeOf<HealthReport['time']>().toEqualTypeOf<number>()
  })

  test('a CheckReport is a CheckResult with where it sits in the probe', () => {
    expectTypeOf<CheckReport>().toExtend<CheckResult>()
    expectTypeOf<CheckReport['checkStatus']>().toEqualTypeOf<CheckStatus>()
    expectTypeOf<CheckReport['kind']>().toEqualTypeOf<'process' | 'dependency'>()
    expectTypeOf<CheckReport['critical']>().toEqualTypeOf<boolean>()
    expectTypeOf<CheckReport['componentType']>().toEqualTypeOf<string>()
    expectTypeOf<CheckReport['measurement']>().toEqualTypeOf<string>()
  })
})

describe('events', () => {
  test('HealthChangeEvent narrows by `type`', () => {
    expectTypeOf<HealthChangeEvent['type']>().toEqualTypeOf<'check' | 'probe' | 'started' | 'phase'>()
    expectTypeOf<Health['on']>().parameter(1).toEqualTypeOf<(event: HealthChangeEvent) => void>()
    const listener = (event: HealthChangeEvent): void => {
      switch (event.type) {
        case 'check':
          expectTypeOf(event).toEqualTypeOf<CheckChangeEvent>()
          expectTypeOf(event.name).toEqualTypeOf<string>()
          expectTypeOf(event.previous).toEqualTypeOf<CheckStatus | undefined>()
          expectTypeOf(event.current).toEqualTypeOf<CheckStatus>()
          expectTypeOf(event.result).toEqualTypeOf<CheckResult>()
          break
        case 'probe':
          expectTypeOf(event).toEqualTypeOf<ProbeChangeEvent>()
          expectTypeOf(event.probe).toEqualTypeOf<ProbeKind>()
          expectTypeOf(event.previous).toEqualTypeOf<CheckStatus | undefined>()
          expectTypeOf(event.current).toEqualTypeOf<CheckStatus>()
          break
        case 'started':
          expectTypeOf(event).toEqualTypeOf<StartedEvent>()
          expectTypeOf(event.by).toEqualTypeOf<'markStarted' | 'startup-checks'>()
          break
        case 'phase':
          expectTypeOf(event).toEqualTypeOf<PhaseChangeEvent>()
          expectTypeOf(event.previous).toEqualTypeOf<ShutdownPhase>()
          expectTypeOf(event.current).toEqualTypeOf<ShutdownPhase>()
          break
        default:
          // Exhaustive: a new event type is a change users' switch statements must see.
          expectTypeOf(event).toEqualTypeOf<never>()
      }
    }
    expectTypeOf(listener).toExtend<Parameters<Health['on']>[1]>()
  })
})

describe('response formats (issue 15)', () => {
  test('format takes a name, a function, or one per probe', () => {
    accepts<HealthOptions>({ format: 'spring' })
    accepts<HealthOptions>({ format: { readiness: 'terminus', liveness: 'health+json' } })
    accepts<HealthOptions>({ format: (report) => ({ status: report.status === 'fail' ? 503 : 200, body: { ok: report.status !== 'fail' } }) })
    accepts<HealthOptions>({ format: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }) })
    // @ts-expect-error: not a format name
    accepts<HealthOptions>({ format: 'sprng' })
    // @ts-expect-error: not a probe
    accepts<ProbeFormats>({ readyness: 'spring' })
    // @ts-expect-error: a body is required
    accepts<FormatFunction>(() => ({ status: 200 }))
    expectTypeOf<ResponseFormatName>().toEqualTypeOf<'health+json' | 'terminus' | 'spring'>()
    expectTypeOf<ResponseFormat>().toEqualTypeOf<ResponseFormatName | FormatFunction>()
  })

  test('a format function gets the report and what the handler knows, and returns a response', () => {
    expectTypeOf<Parameters<FormatFunction>[0]>().toEqualTypeOf<HealthReport>()
    expectTypeOf<FormatContext['phase']>().toEqualTypeOf<ShutdownPhase>()
    expectTypeOf<FormatContext['disclosed']>().toEqualTypeOf<boolean>()
    expectTypeOf<FormatContext['check']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<ReturnType<FormatFunction>>().toEqualTypeOf<FormattedResponse>()
  })

  test('the built-in bodies, for code that reads them', () => {
    expectTypeOf<TerminusBody['status']>().toEqualTypeOf<'ok' | 'error' | 'degraded' | 'shutting_down'>()
    expectTypeOf<SpringBody['status']>().toEqualTypeOf<'UP' | 'DOWN' | 'OUT_OF_SERVICE'>()
    expectTypeOf(SPRING_CONTENT_TYPE).toEqualTypeOf<string>()
    expectTypeOf(choiceOption(undefined as unknown, ['a', 'b'] as const, 'x')).toEqualTypeOf<'a' | 'b'>()
  })
})

describe('diagnostics channels and the snapshot (issue 16)', () => {
  test('the channel names are literal constants', () => {
    expectTypeOf(HEALTHZ_CHANNELS).toEqualTypeOf<
      Readonly<{
        check: 'healthz:check'
        cacheHit: 'healthz:check:cache-hit'
        checkChange: 'healthz:check:change'
        probeResponse: 'healthz:probe:response'
        probeChange: 'healthz:probe:change'
        started: 'healthz:started'
        shutdown: 'healthz:shutdown'
      }>
    >()
  })

  test('every payload names its health object; the run context gains its outcome', () => {
    expectTypeOf<CheckRunMessage['health']>().toEqualTypeOf<Health>()
    expectTypeOf<CheckRunMessage['trigger']>().toEqualTypeOf<ProbeKind | 'interval'>()
    expectTypeOf<CheckRunMessage['probes']>().toEqualTypeOf<readonly ProbeKind[]>()
    expectTypeOf<CheckRunMessage['deadline']>().toEqualTypeOf<number>()
    expectTypeOf<CheckRunMessage['result']>().toEqualTypeOf<CheckResult | undefined>()
    expectTypeOf<CheckRunMessage['outcome']>().toEqualTypeOf<CheckStatus | undefined>()
    expectTypeOf<CheckRunMessage['timedOut']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<CheckCacheHitMessage['fastPath']>().toEqualTypeOf<boolean>()
    expectTypeOf<ProbeResponseMessage['statusCode']>().toEqualTypeOf<number>()
    expectTypeOf<ProbeResponseMessage['probe']>().toEqualTypeOf<ProbeKind>()
    expectTypeOf<CheckChangeMessage['current']>().toEqualTypeOf<CheckStatus>()
    expectTypeOf<ProbeChangeMessage['probe']>().toEqualTypeOf<ProbeKind>()
    expectTypeOf<StartedMessage['by']>().toEqualTypeOf<'markStarted' | 'startup-checks'>()
    expectTypeOf<ShutdownPhaseMessage['current']>().toEqualTypeOf<ShutdownPhase>()
  })

  test('health.snapshot() reads state without running anything', () => {
    expectTypeOf<Health['snapshot']>().toEqualTypeOf<() => HealthSnapshot>()
    expectTypeOf<HealthSnapshot['checks']>().toEqualTypeOf<readonly CheckSnapshot[]>()
    expectTypeOf<HealthSnapshot['probes']>().toEqualTypeOf<Readonly<Record<ProbeKind, ProbeSnapshot>>>()
    expectTypeOf<HealthSnapshot['runtime']>().toEqualTypeOf<RuntimeStats | undefined>()
    expectTypeOf<HealthSnapshot['phase']>().toEqualTypeOf<ShutdownPhase>()
    expectTypeOf<CheckSnapshot['status']>().toEqualTypeOf<CheckStatus | undefined>()
    expectTypeOf<CheckSnapshot['result']>().toEqualTypeOf<CheckResult | undefined>()
    expectTypeOf<ProbeSnapshot['status']>().toEqualTypeOf<CheckStatus | undefined>()
  })
})
