// The rules of `healthz lint`: the probe settings that turn a dependency hiccup into a fleet-wide
// restart, a deploy into dropped requests, or a slow boot into a crash loop. Each rule sees one
// container of one workload and returns findings with a fix a person can paste.
import { guaranteedWindow, startupFailureThreshold } from '../budget.js'
import { formatDuration } from '../duration.js'
import { echo } from '../escape.js'
import { assertKnownOptions } from '../options.js'
import type { ConfigCheck, HealthzConfig } from './config.js'
import { isRecord } from './load.js'
import type { LintResource, NodePath } from './load.js'

/** How bad a finding is. `error` fails `healthz lint` by default (see `--fail-on`). */
export type Severity = 'error' | 'warning' | 'info'

/** The id of a rule, as printed, used in `--disable` and in the disable annotation. */
export type RuleId =
  | 'liveness-equals-readiness'
  | 'liveness-dependency-endpoint'
  | 'probe-port-undeclared'
  | 'startup-probe-missing'
  | 'liveness-restart-too-fast'
  | 'shutdown-drain-budget'
  | 'probe-timeout-below-deadline'
  | 'exec-probe-missing-tool'

/** What a rule is about, for help, docs and SARIF. */
export interface RuleInfo {
  readonly id: RuleId
  readonly severity: Severity
  /** One line. */
  readonly summary: string
  /** Why it matters. */
  readonly description: string
}

/** One problem in one container. */
export interface Finding {
  readonly file: string
  /** 1-based index of the YAML document in the file. */
  readonly document: number
  /** 1-based line and column of the setting the finding is about. */
  readonly line: number
  readonly column: number
  /** Helm's `# Source:` template path, when the input was rendered by Helm. */
  readonly source: string | undefined
  readonly resource: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace: string | undefined }
  /** The container's name. */
  readonly container: string
  /** Whether the container is an init container (a sidecar, when it has probes). */
  readonly initContainer: boolean
  readonly rule: RuleId
  readonly severity: Severity
  /** What is wrong, and what it leads to. */
  readonly message: string
  /** What to change. */
  readonly fix: string
}

/**
 * The annotation that turns rules off for one workload (on the resource or on its pod template):
 * a comma-separated list of rule ids, or `all`.
 *
 * @example
 * ```yaml
 * metadata:
 *   annotations:
 *     healthz/lint-disable: liveness-restart-too-fast, exec-probe-missing-tool
 * ```
 */
export const DISABLE_ANNOTATION = 'healthz/lint-disable'
/**
 * A liveness `initialDelaySeconds` from which a startup probe is recommended instead, in seconds.
 * @default 30
 * @example
 * ```ts
 * if (delay >= LONG_INITIAL_DELAY) console.log('use a startupProbe')
 * ```
 */
export const LONG_INITIAL_DELAY = 30
/**
 * The shortest pause a liveness probe must surely ride out, `(failureThreshold − 1) ×
 * periodSeconds`, in seconds: a full GC of a large heap, CPU throttling at the container's limit,
 * a node under memory pressure. (A pause that starts as a probe is sent fails that probe, so
 * only the failureThreshold − 1 periods after it are sure.)
 * @default 10
 * @example
 * ```ts
 * const tooFast = (failureThreshold - 1) * periodSeconds < MIN_LIVENESS_WINDOW
 * ```
 */
export const MIN_LIVENESS_WINDOW = 10
/**
 * What a probe needs beyond its slowest check's deadline (network, event loop, rendering), in ms.
 * @default 100
 * @example
 * ```ts
 * const enough = timeoutSeconds * 1000 >= slowestCheckTimeout + PROBE_OVERHEAD
 * ```
 */
export const PROBE_OVERHEAD = 100
/**
 * In-flight allowance assumed without a config: healthz's default `shutdown.gracePeriod`, in seconds.
 * @default 10
 * @example
 * ```ts
 * const needed = preStopSleep + readinessWindow + ASSUMED_GRACE_PERIOD
 * ```
 */
export const ASSUMED_GRACE_PERIOD = 10

/**
 * Every rule, with its severity and description (what `--help`, the docs and SARIF show).
 *
 * @example
 * ```ts
 * for (const rule of RULES) console.log(rule.id, rule.severity, rule.summary)
 * ```
 */
export const RULES: readonly RuleInfo[] = Object.freeze([
  {
    id: 'liveness-equals-readiness',
    severity: 'error',
    summary: 'Liveness and readiness probe the same HTTP endpoint.',
    description:
      'Readiness checks dependencies; when one fails the pod should leave the endpoints and nothing more. A liveness probe on the same endpoint restarts the container too, and since every replica shares the dependency, every replica restarts together.',
  },
  {
    id: 'liveness-dependency-endpoint',
    severity: 'error',
    summary: 'Liveness probes an endpoint that looks like a readiness or dependency check.',
    description:
      'A liveness probe must only fail when a restart fixes the problem. A path like /ready, /readyz, /health/ready or /db checks things outside the process, and a restart cannot fix a database outage: it only restarts the whole fleet.',
  },
  {
    id: 'probe-port-undeclared',
    severity: 'error',
    summary: 'A probe names a port the container does not declare (or a gRPC probe names a port at all).',
    description:
      "The kubelet looks a probe's port name up in the container's own ports. When it is not there, every probe fails: readiness never lets the pod take traffic, liveness and startup restart the container in a loop. A gRPC probe takes a port number only; Kubernetes refuses a name.",
  },
  {
    id: 'startup-probe-missing',
    severity: 'warning',
    summary: 'A long liveness initialDelaySeconds instead of a startup probe.',
    description:
      'initialDelaySeconds is a guess: a boot slower than it is killed and restarted in a loop, and a faster boot waits for nothing. A startup probe holds liveness off exactly until boot is done.',
  },
  {
    id: 'liveness-restart-too-fast',
    severity: 'warning',
    summary: 'Liveness restarts after fewer seconds of failure than a plausible pause.',
    description:
      'A pause that starts as a liveness probe is sent fails that probe, and the container is restarted at the failureThreshold-th failure in a row: a pause of just over (failureThreshold − 1) × periodSeconds can restart it. Shorter than a garbage-collection pause or a spell of CPU throttling, it restarts healthy containers under load, which adds load.',
  },
  {
    id: 'shutdown-drain-budget',
    severity: 'warning',
    summary: 'Readiness drain time, preStop sleep and terminationGracePeriodSeconds do not add up.',
    description:
      'On shutdown, readiness must fail for periodSeconds × failureThreshold before load balancers stop sending traffic (or a preStop sleep must buy that time), and in-flight requests need time to finish, all before terminationGracePeriodSeconds ends in SIGKILL.',
  },
  {
    id: 'probe-timeout-below-deadline',
    severity: 'warning',
    summary: 'A probe timeoutSeconds below the deadline of the checks behind it (needs --config).',
    description:
      'healthz answers a probe within its slowest check\'s deadline. When the kubelet gives up sooner, a slow but passing check becomes a failed probe, and the answer that names the failing check is never read.',
  },
  {
    id: 'exec-probe-missing-tool',
    severity: 'info',
    summary: 'An exec probe calls curl or wget in an image known to lack it.',
    description:
      'Slim, distroless and Alpine images leave out curl (and some wget, or a shell): the probe then fails with "executable file not found" and the container is restarted, or never becomes ready.',
  },
])

type ProbeType = 'liveness' | 'readiness' | 'startup'

interface ProbeView {
  readonly type: ProbeType
  readonly key: `${ProbeType}Probe`
  readonly raw: Record<string, unknown>
  readonly handler: 'httpGet' | 'grpc' | 'tcpSocket' | 'exec' | 'none'
  /** httpGet: the normalised path (with its query); grpc: the service. */
  readonly path: string | undefined
  readonly port: string | number | undefined
  /** The port as written (a number or a port name). */
  readonly rawPort: string | number | undefined
  readonly host: string
  readonly scheme: string
  readonly command: readonly string[]
  readonly periodSeconds: number
  readonly timeoutSeconds: number
  readonly failureThreshold: number
  readonly initialDelaySeconds: number
}

interface RuleContext {
  readonly resource: LintResource
  readonly container: Record<string, unknown>
  readonly probes: Partial<Record<ProbeType, ProbeView>>
  readonly config: HealthzConfig | undefined
  /** Where the container is inside the pod spec. */
  readonly at: NodePath
}

interface RawFinding {
  readonly rule: RuleId
  readonly path: NodePath
  readonly message: string
  readonly fix: string
}

/** Options of {@link lintResources}. */
export interface LintOptions {
  /** The service's healthz config, for the rules that compare the manifest with it. */
  config?: HealthzConfig
  /** Rules to skip everywhere. @default [] */
  disable?: readonly RuleId[]
}

/** The keys of {@link LintOptions}. @internal */
export const LINT_OPTIONS: readonly string[] = ['config', 'disable']

/**
 * Runs every rule over every container and init container of `resources`.
 *
 * @example
 * ```ts
 * const { resources } = await loadManifests([{ file: 'deploy.yaml', text }])
 * const findings = lintResources(resources, { disable: ['exec-probe-missing-tool'] })
 * ```
 */
export function lintResources(resources: readonly LintResource[], options: LintOptions = {}): Finding[] {
  assertKnownOptions(options, LINT_OPTIONS, 'lintResources')
  const findings: Finding[] = []
  const globallyOff = new Set<string>(options.disable ?? [])
  for (const resource of resources) {
    const off = new Set(globallyOff)
    for (const id of (resource.annotations[DISABLE_ANNOTATION] ?? '').split(/[\s,]+/)) if (id !== '') off.add(id)
    if (off.has('all')) continue
    for (const list of ['initContainers', 'containers'] as const) {
      const containers = resource.podSpec[list]
      if (!Array.isArray(containers)) continue
      containers.forEach((container: unknown, index) => {
        if (!isRecord(container)) return
        const name = typeof container.name === 'string' ? container.name : `#${index + 1}`
        if (options.config?.container !== undefined && options.config.container !== name) return
        const probes = readProbes(container)
        const context: RuleContext = { resource, container, probes, config: options.config, at: [list, index] }
        const raw = [
          ...sameEndpoint(context),
          ...dependencyEndpoint(context),
          ...undeclaredPort(context),
          ...startupMissing(context),
          ...restartTooFast(context),
          ...drainBudget(context),
          ...timeoutBelowDeadline(context),
          ...execMissingTool(context),
        ]
        for (const finding of raw) {
          if (off.has(finding.rule)) continue
          const position = resource.locate(finding.path[0] === '..' ? finding.path.slice(1) : [...context.at, ...finding.path])
          findings.push({
            file: resource.file,
            document: resource.document,
            line: position.line,
            column: position.column,
            source: resource.source,
            resource: { apiVersion: resource.apiVersion, kind: resource.kind, name: resource.name, namespace: resource.namespace },
            container: name,
            initContainer: list === 'initContainers',
            rule: finding.rule,
            severity: severityOf(finding.rule),
            message: finding.message,
            fix: finding.fix,
          })
        }
      })
    }
  }
  return findings
}

/** The severity of a rule. @internal */
export function severityOf(id: RuleId): Severity {
  return RULES.find((rule) => rule.id === id)?.severity ?? 'warning'
}

// --- reading probes --------------------------------------------------------------------------

function readProbes(container: Record<string, unknown>): Partial<Record<ProbeType, ProbeView>> {
  const probes: Partial<Record<ProbeType, ProbeView>> = {}
  for (const type of ['liveness', 'readiness', 'startup'] as const) {
    const key = `${type}Probe` as const
    const raw = container[key]
    if (!isRecord(raw)) continue
    const httpGet = isRecord(raw.httpGet) ? raw.httpGet : undefined
    const grpc = isRecord(raw.grpc) ? raw.grpc : undefined
    const exec = isRecord(raw.exec) ? raw.exec : undefined
    const handler = httpGet ? 'httpGet' : grpc ? 'grpc' : exec ? 'exec' : isRecord(raw.tcpSocket) ? 'tcpSocket' : 'none'
    const portValue = (httpGet ?? grpc ?? (isRecord(raw.tcpSocket) ? raw.tcpSocket : undefined))?.port
    probes[type] = {
      type,
      key,
      raw,
      handler,
      path: httpGet ? normalisePath(httpGet.path) : grpc ? (typeof grpc.service === 'string' ? grpc.service : '') : undefined,
      port: resolvePort(portValue, container),
      rawPort: typeof portValue === 'number' || typeof portValue === 'string' ? portValue : undefined,
      host: httpGet && typeof httpGet.host === 'string' ? httpGet.host : '',
      scheme: httpGet && typeof httpGet.scheme === 'string' ? httpGet.scheme.toUpperCase() : 'HTTP',
      command: exec && Array.isArray(exec.command) ? exec.command.map(String) : [],
      // Kubernetes defaults: periodSeconds 10, timeoutSeconds 1, failureThreshold 3, initialDelaySeconds 0.
      periodSeconds: positive(raw.periodSeconds, 10),
      timeoutSeconds: positive(raw.timeoutSeconds, 1),
      failureThreshold: positive(raw.failureThreshold, 3),
      initialDelaySeconds: positive(raw.initialDelaySeconds, 0),
    }
  }
  return probes
}

function positive(value: unknown, fallback: number): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number : fallback
}

function normalisePath(value: unknown): string {
  let path = typeof value === 'string' && value !== '' ? value : '/'
  if (!path.startsWith('/')) path = `/${path}`
  const [pathname = '/', query] = path.split('?', 2)
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  return query === undefined ? trimmed : `${trimmed}?${query}`
}

function resolvePort(port: unknown, container: Record<string, unknown>): string | number | undefined {
  if (typeof port === 'number') return port
  if (typeof port !== 'string') return undefined
  if (/^\d+$/.test(port)) return Number(port)
  const ports = Array.isArray(container.ports) ? container.ports : []
  for (const entry of ports) {
    if (isRecord(entry) && entry.name === port && typeof entry.containerPort === 'number') return entry.containerPort
  }
  return port
}

function describeEndpoint(probe: ProbeView): string {
  const port = probe.port === undefined ? '' : ` on port ${typeof probe.port === 'number' ? probe.port : echo(probe.port)}`
  return probe.handler === 'grpc' ? `the gRPC service "${echo(probe.path ?? '')}"${port}` : `GET ${echo(probe.path ?? '/')}${port}`
}

// --- the rules -------------------------------------------------------------------------------

/** What a probe that fails every time does, by probe. */
const ALWAYS_FAILING: Record<ProbeType, string> = {
  readiness: 'the pod never becomes ready and never receives traffic',
  liveness: 'the container is restarted over and over',
  startup: 'boot never completes: the container is restarted in a loop, and liveness and readiness never start',
}

function undeclaredPort({ container, probes }: RuleContext): RawFinding[] {
  const ports = (Array.isArray(container.ports) ? container.ports : []).filter(isRecord)
  const declared = ports.map((port) => port.name).filter((name): name is string => typeof name === 'string' && name !== '')
  const findings: RawFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'httpGet' && probe.handler !== 'tcpSocket' && probe.handler !== 'grpc') continue
    const name = probe.rawPort
    // Numbers, and digits in quotes (read as the number elsewhere in lint), are not names.
    if (typeof name !== 'string' || /^\d+$/.test(name)) continue
    const at = `${probe.key}.${probe.handler}.port`
    if (probe.handler === 'grpc') {
      // GRPCAction.port is an int32 in the Kubernetes API: a name is not looked up, it is refused.
      const number = typeof probe.port === 'number' ? probe.port : undefined
      findings.push({
        rule: 'probe-port-undeclared',
        path: [probe.key, 'grpc', 'port'],
        message: `${at} is the name "${echo(name)}", but a gRPC probe takes a port number only (GRPCAction.port is an integer): the API server refuses the manifest, and no name is ever looked up.`,
        fix: `Set ${at} to the port number${number === undefined ? '' : `: port: ${number}`}.`,
      })
      continue
    }
    if (declared.includes(name)) continue
    const ports = declared.length === 0 ? 'the container declares no ports' : `the container declares no port named "${echo(name)}" (declared: ${declared.map((d) => echo(d)).join(', ')})`
    findings.push({
      rule: 'probe-port-undeclared',
      path: [probe.key, probe.handler, 'port'],
      message: `${at} is "${echo(name)}", but ${ports}. The kubelet looks the name up in the container's own ports, does not find it, and fails every probe: ${ALWAYS_FAILING[probe.type]}.`,
      fix: `Declare it in the container's ports (- name: ${echo(name)}, containerPort: <the port>), or point the probe at ${declared.length === 0 ? '' : `a declared name (${declared.map((d) => echo(d)).join(', ')}) or `}the port number.`,
    })
  }
  return findings
}

function sameEndpoint({ probes }: RuleContext): RawFinding[] {
  const { liveness, readiness } = probes
  if (liveness === undefined || readiness === undefined) return []
  const comparable = (p: ProbeView): boolean => p.handler === 'httpGet' || p.handler === 'grpc'
  if (!comparable(liveness) || liveness.handler !== readiness.handler) return []
  if (liveness.path !== readiness.path || liveness.port !== readiness.port || liveness.host !== readiness.host || liveness.scheme !== readiness.scheme) return []
  const field = liveness.handler === 'httpGet' ? 'path' : 'service'
  return [
    {
      rule: 'liveness-equals-readiness',
      path: ['livenessProbe', liveness.handler, field],
      message: `livenessProbe and readinessProbe both probe ${describeEndpoint(liveness)}. When a dependency fails, readiness takes the pod out of the endpoints (right), and liveness restarts it as well (wrong): every replica sees the same dependency, so every replica restarts at once.`,
      fix:
        liveness.handler === 'httpGet'
          ? `Serve a liveness endpoint that checks only the process (healthz: /livez) and set livenessProbe.httpGet.path to it; keep readinessProbe on ${echo(readiness.path ?? '/')}.`
          : 'Give liveness its own gRPC service name that reports only the process, and keep dependency checks on the readiness service.',
    },
  ]
}

const DEPENDENCY_SEGMENTS = new Set([
  'ready', 'readyz', 'readiness', 'health-ready', 'dependencies', 'dependency', 'deps', 'db', 'database', 'datastore',
  'postgres', 'postgresql', 'pg', 'mysql', 'mariadb', 'mongo', 'mongodb', 'redis', 'kafka', 'rabbitmq', 'amqp', 'nats',
  'elasticsearch', 'upstream', 'upstreams', 'downstream',
])

function dependencyEndpoint({ probes }: RuleContext): RawFinding[] {
  const liveness = probes.liveness
  if (liveness?.handler !== 'httpGet' || liveness.path === undefined) return []
  const [pathname = ''] = liveness.path.split('?', 1)
  const hit = pathname
    .toLowerCase()
    .split('/')
    .find((segment) => DEPENDENCY_SEGMENTS.has(segment))
  if (hit === undefined) return []
  return [
    {
      rule: 'liveness-dependency-endpoint',
      path: ['livenessProbe', 'httpGet', 'path'],
      message: `livenessProbe GETs ${echo(liveness.path)}, which looks like a readiness or dependency endpoint ("${hit}"). If it fails when a dependency does, the kubelet restarts the container, and a restart cannot fix a dependency: every replica restarts together while it is down.`,
      fix: 'Point livenessProbe at an endpoint that checks only the process (healthz: /livez); dependency checks belong in readiness (/readyz).',
    },
  ]
}

function startupMissing({ probes }: RuleContext): RawFinding[] {
  const { liveness, startup } = probes
  if (liveness === undefined || startup !== undefined || liveness.initialDelaySeconds < LONG_INITIAL_DELAY) return []
  const delay = liveness.initialDelaySeconds
  const budget = 2 * delay
  const port = typeof liveness.rawPort === 'string' ? echo(liveness.rawPort) : (liveness.rawPort ?? 'http')
  return [
    {
      rule: 'startup-probe-missing',
      path: ['livenessProbe', 'initialDelaySeconds'],
      message: `livenessProbe has initialDelaySeconds: ${delay} and there is no startupProbe. A boot slower than ${delay} s is killed and restarted in a loop; a faster one leaves the container unwatched until ${delay} s have passed.`,
      // The threshold healthz manifest prints for the same budget: (failureThreshold − 1) × 2 s ≥ budget.
      fix: `Remove initialDelaySeconds and add a startupProbe: { httpGet: { path: /startupz, port: ${port} }, periodSeconds: 2, failureThreshold: ${startupFailureThreshold(budget, 2)} } (a ${budget} s boot budget; \`healthz manifest --boot-seconds ${budget}\` prints the whole block).`,
    },
  ]
}

function restartTooFast({ probes }: RuleContext): RawFinding[] {
  const liveness = probes.liveness
  if (liveness === undefined) return []
  const window = guaranteedWindow(liveness)
  if (window >= MIN_LIVENESS_WINDOW) return []
  const { failureThreshold, periodSeconds } = liveness
  return [
    {
      rule: 'liveness-restart-too-fast',
      path: ['livenessProbe'],
      message: `livenessProbe restarts the container at failure ${failureThreshold} in a row, ${periodSeconds} s apart: a pause that starts as a probe is sent fails it, so a pause of just over (failureThreshold ${failureThreshold} − 1) × periodSeconds ${periodSeconds} = ${window} s can restart it. A garbage-collection pause, CPU throttling at the container's limit or a burst of synchronous work can last that long, and restarting under load adds load.`,
      fix: `Ride out at least ${MIN_LIVENESS_WINDOW} s: periodSeconds: 10 and failureThreshold: 3 ((3 − 1) × 10 = 20 s; a wedged process is restarted within 30 s) is the Kubernetes default and healthz's recommendation.`,
    },
  ]
}

function preStopSleep(container: Record<string, unknown>): number {
  const lifecycle = isRecord(container.lifecycle) ? container.lifecycle : undefined
  const preStop = lifecycle && isRecord(lifecycle.preStop) ? lifecycle.preStop : undefined
  if (preStop === undefined) return 0
  if (isRecord(preStop.sleep)) return positive(preStop.sleep.seconds, 0)
  if (isRecord(preStop.exec) && Array.isArray(preStop.exec.command)) {
    const match = /(?:^|[\s;&|/])sleep\s+(\d+(?:\.\d+)?)/.exec(preStop.exec.command.map(String).join(' '))
    if (match) return Number(match[1])
  }
  return 0
}

function drainBudget({ resource, container, probes, config }: RuleContext): RawFinding[] {
  const readiness = probes.readiness
  if (readiness === undefined) return []
  const findings: RawFinding[] = []
  const hasGrace = resource.podSpec.terminationGracePeriodSeconds !== undefined
  const grace = positive(resource.podSpec.terminationGracePeriodSeconds, 30)
  const gracePath: NodePath = hasGrace ? ['..', 'terminationGracePeriodSeconds'] : ['readinessProbe']
  const sleep = preStopSleep(container)
  const window = readiness.periodSeconds * readiness.failureThreshold
  const shutdown = config?.shutdown
  const graceText = `terminationGracePeriodSeconds ${grace}${hasGrace ? '' : ' (the default)'}`

  if (sleep > 0 && sleep >= grace) {
    return [
      {
        rule: 'shutdown-drain-budget',
        path: ['lifecycle', 'preStop'],
        message: `The preStop sleep (${sleep} s) takes all of ${graceText}: SIGTERM arrives with no time left, so in-flight requests are cut by SIGKILL.`,
        fix: `Raise terminationGracePeriodSeconds to at least ${sleep + ASSUMED_GRACE_PERIOD}, or shorten the sleep.`,
      },
    ]
  }

  // What the shutdown needs, as healthz runs it: the preStop sleep, then drainDelay (readiness
  // failing until load balancers notice), then gracePeriod for in-flight requests, then hooks.
  const drain = shutdown ? shutdown.drainDelay / 1000 : sleep > 0 ? 0 : window
  const inFlight = shutdown ? shutdown.gracePeriod / 1000 : ASSUMED_GRACE_PERIOD
  const hooks = shutdown ? shutdown.hookTimeouts.reduce((sum, t) => sum + t, 0) / 1000 : 0
  const needed = sleep + drain + inFlight + hooks
  if (needed > grace) {
    const parts = [
      sleep > 0 ? `preStop sleep ${sleep} s` : undefined,
      shutdown ? `drainDelay ${drain} s` : drain > 0 ? `readiness drain ${drain} s (periodSeconds ${readiness.periodSeconds} × failureThreshold ${readiness.failureThreshold})` : undefined,
      `${shutdown ? 'gracePeriod' : 'in-flight requests'} ${inFlight} s${shutdown ? '' : ' (healthz\'s default gracePeriod)'}`,
      hooks > 0 ? `shutdown hooks ${hooks} s` : undefined,
    ].filter((part) => part !== undefined)
    findings.push({
      rule: 'shutdown-drain-budget',
      path: gracePath,
      message: `Shutting down can take ${round(needed)} s: ${parts.join(' + ')}. That is longer than ${graceText}: the kubelet sends SIGKILL before the drain is over and drops the requests still in flight.`,
      fix: `Set terminationGracePeriodSeconds: ${Math.ceil(needed)} or more${shutdown ? '' : `, or shorten the readiness window (periodSeconds 5 × failureThreshold 2 = 10 s is healthz's recommendation)`}.`,
    })
  }

  if (shutdown && sleep === 0 && shutdown.drainDelay / 1000 < window) {
    findings.push({
      rule: 'shutdown-drain-budget',
      path: ['readinessProbe'],
      message: `drainDelay is ${formatDuration(shutdown.drainDelay)}, but readiness needs periodSeconds ${readiness.periodSeconds} × failureThreshold ${readiness.failureThreshold} = ${window} s of failures before load balancers that follow it stop sending traffic: the server closes while requests still arrive.`,
      fix: `Set shutdown.drainDelay to ${window * 1000} (ms), or shorten the readiness window to ${round(shutdown.drainDelay / 1000)} s, or add a preStop sleep.`,
    })
  }

  if (shutdown?.terminationGracePeriodSeconds !== undefined && shutdown.terminationGracePeriodSeconds !== grace - sleep) {
    findings.push({
      rule: 'shutdown-drain-budget',
      path: gracePath,
      message: `The config says shutdown.terminationGracePeriodSeconds ${shutdown.terminationGracePeriodSeconds}, but the pod leaves ${grace - sleep} s after ${sleep > 0 ? `the ${sleep} s preStop sleep` : 'SIGTERM'} (${graceText}): healthz's start-up budget warning checks against the wrong number.`,
      fix: `Set shutdown.terminationGracePeriodSeconds to ${grace - sleep}.`,
    })
  }
  return findings
}

function timeoutBelowDeadline({ probes, config }: RuleContext): RawFinding[] {
  if (config === undefined) return []
  const findings: RawFinding[] = []
  for (const probe of Object.values(probes)) {
    const checks: readonly ConfigCheck[] = config.checks[probe.type]
    const slowest = checks.reduce<ConfigCheck | undefined>((max, check) => (max === undefined || check.timeout > max.timeout ? check : max), undefined)
    if (slowest === undefined) continue
    const needed = slowest.timeout + PROBE_OVERHEAD
    if (probe.timeoutSeconds * 1000 >= needed) continue
    findings.push({
      rule: 'probe-timeout-below-deadline',
      path: [probe.key, probe.raw.timeoutSeconds === undefined ? undefined : 'timeoutSeconds'].filter((part) => part !== undefined),
      message: `${probe.key}.timeoutSeconds is ${probe.timeoutSeconds}${probe.raw.timeoutSeconds === undefined ? ' (the default)' : ''}, but its slowest check, ${echo(slowest.name)}, may take ${slowest.timeout} ms, plus about ${PROBE_OVERHEAD} ms for the request: a slow but passing check becomes a failed probe, and the answer that names the failing check is never read.`,
      fix: `Set timeoutSeconds: ${Math.ceil(needed / 1000)}, or lower the timeout of ${echo(slowest.name)} below ${probe.timeoutSeconds * 1000 - PROBE_OVERHEAD} ms.`,
    })
  }
  return findings
}

interface ImageTools {
  readonly label: string
  readonly curl: boolean
  readonly wget: boolean
  readonly shell: boolean
}

/** What well-known base images leave out. @internal */
export function imageTools(image: string): ImageTools | undefined {
  const lower = image.toLowerCase()
  const tag = lower.split('/').pop() ?? lower
  if (lower.includes('distroless')) return { label: 'distroless images', curl: false, wget: false, shell: lower.includes(':debug') }
  if (lower.startsWith('cgr.dev/chainguard/') && !tag.includes('-dev')) return { label: 'Chainguard images', curl: false, wget: false, shell: false }
  if (tag.includes('alpine')) return { label: 'Alpine images', curl: false, wget: true, shell: true }
  if (tag.startsWith('busybox')) return { label: 'busybox', curl: false, wget: true, shell: true }
  if (/[:-]slim\b|-slim-|slim$/.test(tag)) return { label: 'Debian slim images', curl: false, wget: false, shell: true }
  return undefined
}

function execMissingTool({ container, probes }: RuleContext): RawFinding[] {
  const image = typeof container.image === 'string' ? container.image : ''
  const tools = imageTools(image)
  if (tools === undefined) return []
  const findings: RawFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'exec' || probe.command.length === 0) continue
    const line = probe.command.join(' ')
    const missing = (['curl', 'wget'] as const).find((tool) => !tools[tool] && new RegExp(`(^|[\\s;&|/"'])${tool}(\\s|$)`).test(line))
    if (missing === undefined) continue
    const port = probes.liveness?.port ?? probes.readiness?.port ?? 8080
    const path = probe.type === 'liveness' ? '/livez' : probe.type === 'readiness' ? '/readyz' : '/startupz'
    findings.push({
      rule: 'exec-probe-missing-tool',
      path: [probe.key, 'exec', 'command'],
      message: `${probe.key} runs ${missing}, which ${tools.label} do not ship (${echo(image)}): the probe fails with "executable file not found"${tools.shell ? '' : ' (there is no shell either)'}.`,
      fix: `Use an httpGet probe, or healthz probe, which needs only node: exec: { command: ["node", "node_modules/@healthz/cli/dist/bin.js", "probe", "http://127.0.0.1:${typeof port === 'number' ? port : 8080}${path}"] }.`,
    })
  }
  return findings
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
