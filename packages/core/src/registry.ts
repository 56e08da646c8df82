// The check registry: which runner backs which probe (refusing a dependency in liveness, and
// two checks under one name), the watchdogs added to liveness later, and the startup gate.
import type { CheckDefinition, CheckOptions } from './check.js'
import { defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { HealthzError, isHealthzError } from './errors.js'
import type { RunnerEvents } from './events.js'
import { channels } from './events.js'
import type { Health } from './health.js'
import { assertKnownOptions, describeValue, durationOption, optionKeys } from './options.js'
import type { ProbeKind } from './report.js'
import type { CheckResult } from './run.js'
import type { TransitionListener } from './runner.js'
import { CheckRunner } from './runner.js'

/** A check as given to {@link createHealth}: a {@link defineCheck} result or its options. */
export type CheckInput = CheckDefinition | CheckOptions

/** Options of {@link Health.watchdog}. */
export interface WatchdogOptions {
  /** Liveness fails when `tick()` has not been called for this long, in ms. */
  timeout: number
}

/** A watchdog, as returned by {@link Health.watchdog}. */
export interface Watchdog {
  readonly name: string
  /** Says the watched loop made progress. Cheap: call it on every iteration. */
  tick(): void
  /** Removes the watchdog from liveness (the loop ended on purpose). */
  stop(): void
}

/** @internal What opened the startup gate. */
export type GateOpener = 'markStarted' | 'startup-checks'

/** @internal The runners of one probe, in order, and by check name. */
export interface ProbeRunners {
  readonly runners: CheckRunner[]
  readonly byName: Map<string, CheckRunner>
}

/** @internal What the registry tells its owner. */
export interface RegistryHooks {
  /** The health object, named in every diagnostics-channel message. */
  readonly health: Health
  /** A check's status changed (or it has its first result). */
  readonly onTransition: TransitionListener
  /** The startup gate opened; called once. */
  readonly onStarted: (by: GateOpener) => void
  /** A probe's runners changed (a watchdog came or went): anything remembered about it is stale. */
  readonly onRunnersChanged: () => void
  /** Every result a runner records, when someone keeps a history (the status page). */
  readonly onResult?: ((result: CheckResult) => void) | undefined
}

const WATCHDOG_KEYS = optionKeys<WatchdogOptions>({ timeout: true })
const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']

/** @internal The checks of a health object, per probe, and the startup gate. */
export class ProbeRegistry {
  /** Whether the startup gate has opened. Latches; written only by {@link ProbeRegistry.open}. */
  started = false
  readonly probes: Readonly<Record<ProbeKind, ProbeRunners>>
  /** Every runner once, whichever probes share it. */
  readonly runners: CheckRunner[]
  private startupProgress: Promise<readonly CheckResult[]> | undefined

  constructor(
    given: Readonly<Partial<Record<ProbeKind, unknown>>>,
    private readonly clock: Clock,
    private readonly hooks: RegistryHooks,
  ) {
    const runnerFor = new Map<unknown, CheckRunner>()
    const byName = new Map<string, CheckRunner>()
    const lists = {} as Record<ProbeKind, CheckRunner[]>
    for (const probe of PROBES) {
      const inputs = given[probe] ?? []
      if (!Array.isArray(inputs)) {
        throw new HealthzError(`${probe} must be an array of checks, got ${describeValue(inputs)}.`, { code: 'INVALID_OPTION' })
      }
      const list: CheckRunner[] = []
      inputs.forEach((input: unknown, index: number) => {
        let runner = runnerFor.get(input)
        if (runner === undefined) {
          const check = asCheck(input, `${probe}[${index}]`)
          if (byName.has(check.name)) {
            throw new HealthzError(
              `Two different checks are named "${check.name}": check names must be unique within a health object. Rename one, or pass the same definition to every probe that should share it.`,
              { code: 'DUPLICATE_CHECK' },
            )
          }
          runner = this.createRunner(check)
          runnerFor.set(input, runner)
          byName.set(check.name, runner)
        }
        if (probe === 'liveness' && runner.check.kind === 'dependency') throw dependencyInLiveness(runner.check.name)
        if (!list.includes(runner)) {
          list.push(runner)
          runner.events.probes.push(probe)
        }
      })
      lists[probe] = list
    }
    const runners = (list: CheckRunner[]): ProbeRunners => ({ runners: list, byName: new Map(list.map((runner) => [runner.check.name, runner])) })
    this.probes = { liveness: runners(lists.liveness), readiness: runners(lists.readiness), startup: runners(lists.startup) }
    this.runners = [...byName.values()]
  }

  /** Starts the background loops of checks with an `interval`, once the owner is built (no runner reports before this). */
  start(): void {
    for (const runner of this.runners) runner.start()
  }

  /** Stops every background loop. Results already in memory stay readable. */
  close(): void {
    for (const runner of this.runners) runner.close()
  }

  /** Adds a process check to liveness after construction (a watchdog, the stall check). */
  addLiveness(check: CheckDefinition): CheckRunner {
    return this.add('liveness', check, 'give the watchdog or check another name')
  }

  /** Adds a check of core's own to readiness (the overload check), before the first probe. */
  addReadiness(check: CheckDefinition): CheckRunner {
    return this.add('readiness', check, 'runtime.overload adds a readiness check of that name; rename yours')
  }

  private add(probe: 'liveness' | 'readiness', check: CheckDefinition, rename: string): CheckRunner {
    if (this.runners.some((runner) => runner.check.name === check.name)) {
      throw new HealthzError(`A check named "${check.name}" already exists: ${rename}.`, { code: 'DUPLICATE_CHECK' })
    }
    const state = this.probes[probe]
    const runner = this.createRunner(check)
    runner.events.probes.push(probe)
    state.runners.push(runner)
    state.byName.set(check.name, runner)
    this.runners.push(runner)
    this.hooks.onRunnersChanged()
    return runner
  }

  watchdog(name: string, options: WatchdogOptions): Watchdog {
    const where = `watchdog ${describeValue(name)}`
    assertKnownOptions(options, WATCHDOG_KEYS, where)
    if (options.timeout === undefined) throw new HealthzError(`${where} needs { timeout } in ms.`, { code: 'INVALID_OPTION' })
    const timeout = durationOption(options.timeout, 0, `${where}: timeout`)
    let last = this.clock.now()
    const check = defineCheck({
      name,
      kind: 'process',
      componentType: 'component',
      measurement: 'sinceTick',
      run: () => {
        const silent = this.clock.now() - last
        if (silent > timeout) {
          return { status: 'fail', observedValue: silent, observedUnit: 'ms', output: `not ticked for ${silent} ms (timeout ${timeout} ms)` }
        }
        return { observedValue: silent, observedUnit: 'ms' }
      },
    })
    const runner = this.addLiveness(check)
    return {
      name,
      tick: () => {
        last = this.clock.now()
      },
      stop: () => this.removeLiveness(runner),
    }
  }

  /** Opens the startup gate, once. */
  open(by: GateOpener): void {
    if (this.started) return
    this.started = true
    // Startup checks never run again once the gate latches; stop their background loops.
    const needed = new Set([...this.probes.liveness.runners, ...this.probes.readiness.runners])
    for (const runner of this.probes.startup.runners) if (!needed.has(runner)) runner.close()
    this.hooks.onStarted(by)
  }

  /** Runs the startup checks (shared between concurrent callers) and opens the gate when all have passed once. */
  progressStartup(): Promise<readonly CheckResult[]> {
    const { runners } = this.probes.startup
    if (runners.length === 0) return Promise.resolve([])
    this.startupProgress ??= Promise.all(runners.map((runner) => runner.get('startup'))).then((results) => {
      this.startupProgress = undefined
      this.openIfBooted()
      return results
    })
    return this.startupProgress
  }

  /** Why the gate is still shut, for the startup and readiness reports. */
  startingOutput(): string {
    const pending = this.probes.startup.runners.filter((runner) => !runner.hasPassed).map((runner) => runner.check.name)
    return pending.length > 0
      ? `starting: waiting for startup checks ${pending.join(', ')}`
      : 'starting: call health.markStarted() when boot is complete'
  }

  private removeLiveness(runner: CheckRunner): void {
    const state = this.probes.liveness
    const at = state.runners.indexOf(runner)
    if (at === -1) return
    state.runners.splice(at, 1)
    state.byName.delete(runner.check.name)
    this.runners.splice(this.runners.indexOf(runner), 1)
    this.hooks.onRunnersChanged()
    runner.close()
  }

  private createRunner(check: CheckDefinition): CheckRunner {
    const events: RunnerEvents = { health: this.hooks.health, probes: [], onResult: this.hooks.onResult }
    return new CheckRunner(check, this.clock, (previous, result) => {
      if (channels.checkChange.hasSubscribers) {
        channels.checkChange.publish({ type: 'check', name: result.name, previous, current: result.status, result, probes: [...events.probes], health: events.health })
      }
      this.hooks.onTransition(previous, result)
      // A background startup check can open the gate without waiting for a probe.
      if (result.status !== 'fail') this.openIfBooted()
    }, events)
  }

  private openIfBooted(): void {
    const { runners } = this.probes.startup
    if (runners.length > 0 && runners.every((runner) => runner.hasPassed)) this.open('startup-checks')
  }
}

function asCheck(input: unknown, where: string): CheckDefinition {
  if (typeof input !== 'object' || input === null) {
    throw new HealthzError(
      `${where} is not a check: got ${input === null ? 'null' : typeof input}. Pass defineCheck({ name, run }) results.`,
      { code: 'INVALID_CHECK' },
    )
  }
  try {
    return defineCheck(input as CheckOptions)
  } catch (error) {
    if (isHealthzError(error)) throw new HealthzError(`${where}: ${error.message}`, { code: error.code, cause: error })
    throw error
  }
}

function dependencyInLiveness(name: string): HealthzError {
  return new HealthzError(
    `Check "${name}" is a dependency check and cannot back liveness. A failed liveness probe makes Kubernetes restart the container; ` +
      `when a shared dependency hiccups, every replica fails liveness at once and the whole fleet restarts together, ` +
      `which cannot fix the dependency and turns a blip into an outage. Put "${name}" in \`readiness\` instead ` +
      `(it takes the instance out of the load balancer until the dependency recovers), or, if it only inspects this process, define it with kind: 'process'.`,
    { code: 'DEPENDENCY_IN_LIVENESS' },
  )
}
