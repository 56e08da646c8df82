// `healthz manifest`: the probe block these docs recommend, for one service, as a Deployment that
// `healthz lint` passes. Plain string building: no YAML library is loaded for it.
import { guaranteedWindow, startupFailureThreshold } from './budget.js'
import { usage } from './errors.js'
import { KUBERNETES_FEATURES, LATEST_KUBERNETES, kubernetesMinor } from './kubernetes.js'
import { imageTools } from './lint/rules/exec.js'
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
   * A `preStop` sleep in seconds, added to the grace period: the kubelet's `sleep` action from
   * Kubernetes 1.30, `exec: [sleep, N]` before (see `kubernetesVersion`); 0 leaves the waiting to
   * healthz's `drainDelay`.
   * @default 0
   */
  preStopSeconds?: number
  /**
   * The Kubernetes version of the cluster (`1.28`, `v1.29.4`; 1.27 or later): the manifest uses
   * only what that release has on by default, and `healthz lint --kubernetes-version` with the
   * same version passes it. Before 1.30 a preStop sleep is `exec: [sleep, N]`.
   * @default '1.34'
   */
  kubernetesVersion?: string
  /**
   * Probe with the kubelet's `grpc:` probes (grpc.health.v1 Check, with the service names
   * `startup`, `liveness` and `readiness`) instead of HTTP GETs.
   * @default false
   */
  grpc?: boolean
  /**
   * The port of the liveness worker thread (`startLivenessWorker` of `@healthz/http`): the
   * liveness probe goes there, answered off the main thread, so a main thread busy for a few
   * seconds is not restarted, while one stuck for `stallTolerance` is. Readiness and startup stay
   * on `port`. Undefined: liveness on `port` too.
   * @default undefined
   */
  livenessPort?: number
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
/** Liveness' own grace period after the preStop sleep (KEP-2238): a wedged process is killed 10 s after liveness gives up, not after the pod's 30. */
const LIVENESS_GRACE = 10

const MANIFEST_OPTIONS = ['port', 'bootSeconds', 'prefix', 'name', 'image', 'preStopSeconds', 'kubernetesVersion', 'grpc', 'livenessPort']

/**
 * The ranges of the whole-number options: a port, and seconds that Kubernetes keeps in int32
 * fields (the startup `failureThreshold` grows with the boot time).
 * @internal
 */
export const MANIFEST_COUNTS = Object.freeze({
  port: { min: 1, max: 65535 },
  livenessPort: { min: 1, max: 65535 },
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
  const version = options.kubernetesVersion ?? LATEST_KUBERNETES
  const minor = kubernetesMinor(version, '--kubernetes-version')
  const grpc = options.grpc ?? false
  if (typeof grpc !== 'boolean') throw usage(`--grpc must be true or false, got ${describeValue(grpc)}.`)
  const livenessPort = options.livenessPort === undefined ? undefined : countOption(options.livenessPort, 9001, '--liveness-port', MANIFEST_COUNTS.livenessPort)
  if (livenessPort === port) throw usage(`--liveness-port must differ from --port (${port}): the liveness worker listens on a port of its own.`)
  const nativeSleep = minor >= KUBERNETES_FEATURES.sleepAction
  if (preStop > 0 && !nativeSleep && imageTools(image)?.shell === false) {
    throw usage(`--pre-stop-seconds before Kubernetes 1.${KUBERNETES_FEATURES.sleepAction} needs exec: [sleep, ${preStop}], and ${describeValue(image)} has no sleep binary: leave the wait to healthz's drainDelay (no --pre-stop-seconds), or use --kubernetes-version 1.${KUBERNETES_FEATURES.sleepAction} or later.`)
  }

  const base = prefix.replace(/\/+$/, '')
  const startupFailures = startupFailureThreshold(boot, STARTUP_PERIOD)
  const startupBudget = guaranteedWindow({ failureThreshold: startupFailures, periodSeconds: STARTUP_PERIOD })
  const livenessRidesOut = guaranteedWindow(LIVENESS)
  const drain = READINESS.periodSeconds * READINESS.failureThreshold
  const grace = preStop + drain + GRACE_PERIOD + HOOK_BUDGET
  // gRPC: the service names a grpc.health.v1 server answers for each probe; HTTP: healthz's paths.
  const probe = (service: string, path: string, fields: string[]): string[] => [
    ...(grpc ? [`            grpc:`, `              port: ${port}`, `              service: ${service}`] : [`            httpGet:`, `              path: ${base}${path}`, `              port: http`]),
    ...fields.map((field) => `            ${field}`),
  ]

  // The liveness worker speaks HTTP whatever the application serves (gRPC included).
  const workerProbe = (_service: string, path: string, fields: string[]): string[] => [`            httpGet:`, `              path: ${base}${path}`, `              port: liveness`, ...fields.map((field) => `            ${field}`)]

  const lines = [
    `# Recommended probes for ${name} (healthz manifest). \`healthz lint${version === LATEST_KUBERNETES ? '' : ` --kubernetes-version ${version}`}\` passes this file.`,
    grpc ? `# Keep the three services apart: liveness must never be the readiness service.` : `# Keep the three paths apart: liveness must never be the readiness endpoint.`,
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
    `            - name: ${grpc ? 'grpc' : 'http'}`,
    `              containerPort: ${port}`,
    ...(livenessPort === undefined ? [] : [`            - name: liveness`, `              containerPort: ${livenessPort}  # startLivenessWorker(health, { port: ${livenessPort} }): liveness answered off the main thread`]),
    `          startupProbe:`,
    ...probe('startup', '/startupz', [`periodSeconds: ${STARTUP_PERIOD}`, `timeoutSeconds: 1`, `failureThreshold: ${startupFailures}  # (${startupFailures} - 1) x ${STARTUP_PERIOD} s = ${startupBudget} s to boot (the first probe can come before Node listens), then a restart`]),
    `          livenessProbe:`,
    ...(livenessPort === undefined
      ? []
      : [`            # Answered by the liveness worker thread: a busy main thread still passes; one with no progress for stallTolerance (15 s) fails.`]),
    ...(livenessPort === undefined ? probe : workerProbe)('liveness', '/livez', [
      `periodSeconds: ${LIVENESS.periodSeconds}`,
      `timeoutSeconds: 1`,
      `failureThreshold: ${LIVENESS.failureThreshold}  # rides out pauses under ${livenessRidesOut} s; restarts a wedged process within ${LIVENESS.periodSeconds * LIVENESS.failureThreshold} s`,
      `terminationGracePeriodSeconds: ${preStop + LIVENESS_GRACE}  # ${preStop > 0 ? `the preStop sleep, then ` : ''}${LIVENESS_GRACE} s from SIGTERM to SIGKILL after a liveness failure, not ${grace - preStop}`,
    ]),
    `          readinessProbe:`,
    ...probe('readiness', '/readyz', [`periodSeconds: ${READINESS.periodSeconds}`, `timeoutSeconds: 1`, `failureThreshold: ${READINESS.failureThreshold}  # out of the endpoints ${guaranteedWindow(READINESS)} s to ${drain} s after a critical check fails`, `successThreshold: 1`]),
    ...(preStop > 0 && nativeSleep ? [`          lifecycle:`, `            preStop:`, `              sleep:`, `                seconds: ${preStop}  # the kubelet sleeps (Kubernetes 1.30+) while the endpoints update, then sends SIGTERM`] : []),
    ...(preStop > 0 && !nativeSleep ? [`          lifecycle:`, `            preStop:`, `              exec:`, `                command: ["sleep", "${preStop}"]  # needs a sleep binary in the image; from Kubernetes 1.30: sleep: { seconds: ${preStop} }`] : []),
  ]
  return `${lines.join('\n')}\n`
}
