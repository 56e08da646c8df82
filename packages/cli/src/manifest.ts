// `healthz manifest`: the probe block these docs recommend, for one service, as a Deployment that
// `healthz lint` passes. Plain string building: no YAML library is loaded for it.
import { guaranteedWindow, startupFailureThreshold } from './budget.js'
import { usage } from './errors.js'
import { MAX_INT32, assertKnownOptions, countOption, describeValue } from './options.js'

/** Options of {@link renderManifest}. */
export interface ManifestOptions {
  /** The container port the probes are served on. @default 8080 */
  port?: number
  /** The longest boot to wait for before the startup probe gives up and restarts, in seconds. @default 60 */
  bootSeconds?: number
  /** The prefix of the probe paths (`createHealth({ prefix })`): `/health` gives `/health/livez`. @default '/' */
  prefix?: string
  /** The Deployment's and container's name. @default 'my-service' */
  name?: string
  /** The container image. @default 'registry.example.com/<name>:1.0.0' */
  image?: string
  /**
   * A `preStop` sleep in seconds (Kubernetes 1.30+ `sleep` action), added to the grace period;
   * 0 leaves the waiting to healthz's `drainDelay`.
   * @default 0
   */
  preStopSeconds?: number
}

/** Startup probe period, in seconds: short, so a finished boot is noticed quickly. */
const STARTUP_PERIOD = 2
/** Readiness: 5 s × 2: out of the endpoints 5 to 10 s after a failure; 10 s is the default `drainDelay` of healthz on Kubernetes. */
const READINESS = { periodSeconds: 5, failureThreshold: 2 }
/** Liveness: 10 s × 3 (the Kubernetes defaults): a pause under (3 − 1) × 10 = 20 s never restarts; a wedged process is restarted within 30 s. */
const LIVENESS = { periodSeconds: 10, failureThreshold: 3 }
/** healthz's default `gracePeriod` for in-flight requests, and a budget for shutdown hooks, in seconds. */
const GRACE_PERIOD = 10
const HOOK_BUDGET = 10

const MANIFEST_OPTIONS = ['port', 'bootSeconds', 'prefix', 'name', 'image', 'preStopSeconds']

/**
 * The ranges of the whole-number options: a port, and seconds that Kubernetes keeps in int32
 * fields (the startup `failureThreshold` grows with the boot time).
 * @internal
 */
export const MANIFEST_COUNTS = Object.freeze({
  port: { min: 1, max: 65535 },
  bootSeconds: { min: 1, max: MAX_INT32 },
  preStopSeconds: { min: 0, max: MAX_INT32 },
})

/**
 * Renders the recommended Deployment: startup, liveness and readiness probes on separate healthz
 * paths, and a termination grace period that covers the drain.
 *
 * @throws {CliError} `USAGE` for a port, boot time, prefix or name that cannot be used.
 * @example
 * ```ts
 * process.stdout.write(renderManifest({ port: 3000, bootSeconds: 120, name: 'orders' }))
 * ```
 */
export function renderManifest(options: ManifestOptions = {}): string {
  assertKnownOptions(options, MANIFEST_OPTIONS, 'renderManifest')
  const port = countOption(options.port, 8080, '--port', MANIFEST_COUNTS.port)
  const boot = countOption(options.bootSeconds, 60, '--boot-seconds', MANIFEST_COUNTS.bootSeconds)
  const prefix = options.prefix ?? '/'
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || /[?#\s\u0000-\u001f\u007f-\u009f]/.test(prefix)) throw usage(`--prefix must be a path starting with '/', like / or /health; got ${describeValue(prefix)}.`)
  const name = options.name ?? 'my-service'
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw usage(`--name must be a Kubernetes name (lower-case letters, digits and '-', at most 63), got ${describeValue(name)}.`)
  const image = options.image ?? `registry.example.com/${name}:1.0.0`
  if (typeof image !== 'string' || image === '' || /[\s\u0000-\u001f\u007f-\u009f]/.test(image)) throw usage(`--image must be an image reference without spaces or control characters, got ${describeValue(image)}.`)
  const preStop = countOption(options.preStopSeconds, 0, '--pre-stop-seconds', MANIFEST_COUNTS.preStopSeconds)

  const base = prefix.replace(/\/+$/, '')
  const startupFailures = startupFailureThreshold(boot, STARTUP_PERIOD)
  const startupBudget = guaranteedWindow({ failureThreshold: startupFailures, periodSeconds: STARTUP_PERIOD })
  const livenessRidesOut = guaranteedWindow(LIVENESS)
  const drain = READINESS.periodSeconds * READINESS.failureThreshold
  const grace = preStop + drain + GRACE_PERIOD + HOOK_BUDGET
  const probe = (path: string, fields: string[]): string[] => [`            httpGet:`, `              path: ${base}${path}`, `              port: http`, ...fields.map((field) => `            ${field}`)]

  const lines = [
    `# Recommended probes for ${name} (healthz manifest). \`healthz lint\` passes this file.`,
    `# Keep the three paths apart: liveness must never be the readiness endpoint.`,
    `apiVersion: apps/v1`,
    `kind: Deployment`,
    `metadata:`,
    `  name: ${name}`,
    `spec:`,
    `  replicas: 2`,
    `  selector:`,
    `    matchLabels:`,
    `      app: ${name}`,
    `  template:`,
    `    metadata:`,
    `      labels:`,
    `        app: ${name}`,
    `    spec:`,
    `      # ${preStop > 0 ? `preStop sleep ${preStop} s + ` : ''}drainDelay ${drain} s (readiness ${READINESS.periodSeconds} s x ${READINESS.failureThreshold}) + gracePeriod ${GRACE_PERIOD} s + shutdown hooks up to ${HOOK_BUDGET} s.`,
    ...(preStop > 0 ? [`      # In createHealth({ shutdown }): terminationGracePeriodSeconds: ${grace - preStop} (what is left after the sleep).`] : []),
    `      terminationGracePeriodSeconds: ${grace}`,
    `      containers:`,
    `        - name: ${name}`,
    `          image: ${image}`,
    `          ports:`,
    `            - name: http`,
    `              containerPort: ${port}`,
    `          startupProbe:`,
    ...probe('/startupz', [`periodSeconds: ${STARTUP_PERIOD}`, `timeoutSeconds: 1`, `failureThreshold: ${startupFailures}  # (${startupFailures} - 1) x ${STARTUP_PERIOD} s = ${startupBudget} s to boot (the first probe can come before Node listens), then a restart`]),
    `          livenessProbe:`,
    ...probe('/livez', [`periodSeconds: ${LIVENESS.periodSeconds}`, `timeoutSeconds: 1`, `failureThreshold: ${LIVENESS.failureThreshold}  # rides out pauses under ${livenessRidesOut} s; restarts a wedged process within ${LIVENESS.periodSeconds * LIVENESS.failureThreshold} s`]),
    `          readinessProbe:`,
    ...probe('/readyz', [`periodSeconds: ${READINESS.periodSeconds}`, `timeoutSeconds: 1`, `failureThreshold: ${READINESS.failureThreshold}  # out of the endpoints ${guaranteedWindow(READINESS)} s to ${drain} s after a critical check fails`, `successThreshold: 1`]),
    ...(preStop > 0 ? [`          lifecycle:`, `            preStop:`, `              sleep:`, `                seconds: ${preStop}  # Kubernetes 1.30+; the endpoints update before SIGTERM arrives`] : []),
  ]
  return `${lines.join('\n')}\n`
}
