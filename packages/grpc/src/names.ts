// The service-name convention: which healthz probe (or check) a grpc.health.v1 service name asks
// about, and the HTTP request that answers it through the health object's own handler, so gRPC
// and HTTP share one answer, one cache and one single flight.
import type { Health, HealthRequest, ProbeKind } from '@healthz/core'
import { describeValue, HealthzError } from '@healthz/core'

/**
 * What a service name stands for: a probe (`'readiness'`), or one check of a probe
 * (`'readiness/postgres'`).
 */
export type ServiceTarget = ProbeKind | `${ProbeKind}/${string}`

/** @internal A resolved service name. */
export interface Target {
  readonly probe: ProbeKind
  readonly check: string | undefined
  /** The request that answers it: `GET <probe path>[/<check>]`. */
  readonly request: HealthRequest
}

const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']

/** @internal The names every server answers besides its per-check names. */
export const DEFAULT_SERVICES: Readonly<Record<string, ServiceTarget>> = Object.freeze({
  '': 'readiness',
  liveness: 'liveness',
  readiness: 'readiness',
  startup: 'startup',
})

/** @internal Resolves service names against a health object's probes and checks. */
export class ServiceNames {
  private targets = new Map<string, Target>()
  private checkCount = -1

  constructor(
    private readonly health: Health,
    private readonly aliases: Readonly<Record<string, ServiceTarget>>,
  ) {
    this.refresh()
    for (const [name, target] of Object.entries(aliases)) {
      if (!this.targets.has(name)) {
        throw new HealthzError(
          `services[${describeValue(name)}] is ${describeValue(target)}, which names no probe or check of this health object: use 'liveness', 'readiness', 'startup' or '<probe>/<check>' with one of its checks (${this.describe()}).`,
          { code: 'INVALID_OPTION' },
        )
      }
    }
  }

  /** The target of a name, or undefined for a name this server does not know. */
  resolve(name: string): Target | undefined {
    const target = this.targets.get(name)
    if (target !== undefined) return target
    // A watchdog added since the last look is a new liveness check: look again, once per change.
    if (this.refresh()) return this.targets.get(name)
    return undefined
  }

  /** Every name, in a stable order: the probes, the per-check names, then the aliases. */
  all(): string[] {
    this.refresh()
    return [...this.targets.keys()]
  }

  /** A short list of the names, for error messages. */
  describe(): string {
    const names = [...this.targets.keys()].map((name) => JSON.stringify(name))
    return names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ')
  }

  /** Rebuilds the table when the health object's checks changed; says whether it did. */
  private refresh(): boolean {
    const { probes } = this.health.snapshot()
    const count = PROBES.reduce((sum, probe) => sum + probes[probe].checks.length, 0)
    if (count === this.checkCount) return false
    this.checkCount = count
    const own = new Map<string, Target>()
    const paths = this.health.paths
    const make = (probe: ProbeKind, check: string | undefined): Target => ({
      probe,
      check,
      request: Object.freeze({ method: 'GET', path: check === undefined ? paths[probe] : `${paths[probe]}/${encodeURIComponent(check)}` }),
    })
    for (const probe of PROBES) own.set(probe, make(probe, undefined))
    for (const probe of PROBES) for (const check of probes[probe].checks) own.set(`${probe}/${check}`, make(probe, check))
    const targets = new Map<string, Target>([['', own.get('readiness') as Target], ...own])
    for (const [name, target] of Object.entries(this.aliases)) {
      const resolved = own.get(target)
      if (resolved !== undefined) targets.set(name, resolved)
    }
    this.targets = targets
    return true
  }
}

/** @internal Validates the `services` option: names to targets. */
export function servicesOption(value: unknown): Readonly<Record<string, ServiceTarget>> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HealthzError(`services must be an object of service names to targets, like { 'orders.v1.Orders': 'readiness' }; got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  const out: Record<string, ServiceTarget> = {}
  for (const [name, target] of Object.entries(value as Record<string, unknown>)) {
    if (typeof target !== 'string') {
      throw new HealthzError(`services[${describeValue(name)}] must be 'liveness', 'readiness', 'startup' or '<probe>/<check>', got ${describeValue(target)}.`, { code: 'INVALID_OPTION' })
    }
    if (name !== '' && Object.hasOwn(DEFAULT_SERVICES, name) && target !== name) {
      throw new HealthzError(`services[${describeValue(name)}] cannot be remapped: ${describeValue(name)} is the ${name} probe by convention (healthz manifest --grpc and the kubelet's grpc probes ask for it). Give your own name instead.`, { code: 'INVALID_OPTION' })
    }
    out[name] = target as ServiceTarget
  }
  return Object.freeze(out)
}
