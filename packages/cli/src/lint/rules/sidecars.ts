// The sidecar rule: a sidecar (an init container with restartPolicy: Always, KEP-753: on by
// default from 1.29, GA in 1.33) that a main container uses, without a startup probe. The kubelet
// starts the next containers once a sidecar's startupProbe passes, or, without one, as soon as
// its process has started, before it listens.
import { echo } from '../../escape.js'
import { isRecord } from '../load.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/** `sidecar-startup-probe-missing`. @internal */
export const sidecarStartupProbeMissing = {
  id: 'sidecar-startup-probe-missing',
  severity: 'warning',
  summary: 'A sidecar that a main container connects to has no startupProbe.',
  description:
    'Without a startupProbe, the kubelet starts the main containers as soon as the sidecar\'s process has started, not once it accepts connections. A main container that connects through it at boot (a database proxy on 127.0.0.1) gets refused connections, and a boot that gives up restarts the container, or fails readiness until it retries.',
  check: sidecarWithoutStartup,
} as const satisfies Rule

/** Sidecars every container of the pod goes through by their nature. */
const PROXY_IMAGES = /(^|\/)(cloud-sql-proxy|cloudsql-proxy|gce-proxy|alloydb-auth-proxy)(:|@|$)/
const LOOPBACK = /(?:localhost|127\.0\.0\.1|\[::1\]):(\d{1,5})(?!\d)/g
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1'])

/** Where a main container shows that it connects to one of `ports` on loopback, or `undefined`. */
function connectsTo(container: Record<string, unknown>, ports: ReadonlySet<number>): string | undefined {
  const env = (Array.isArray(container.env) ? container.env : []).filter(isRecord)
  const values = env.map((entry) => ({ name: typeof entry.name === 'string' ? entry.name : '', value: typeof entry.value === 'string' ? entry.value : String(entry.value ?? '') }))
  const words = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].map(String)
  for (const { name, value } of [...values, ...words.map((word) => ({ name: '', value: word }))]) {
    for (const match of value.matchAll(LOOPBACK)) {
      if (ports.has(Number(match[1]))) return name === '' ? `its command line names ${echo(match[0])}` : `env ${echo(name)} names ${echo(match[0])}`
    }
  }
  // Host and port in two variables (DB_HOST: 127.0.0.1, DB_PORT: "5432").
  const host = values.find(({ value }) => LOOPBACK_HOSTS.has(value.trim()))
  const port = values.find(({ value }) => /^\d{1,5}$/.test(value.trim()) && ports.has(Number(value)))
  if (host !== undefined && port !== undefined) return `env ${echo(host.name)} is ${echo(host.value)} and ${echo(port.name)} is ${echo(port.value)}`
  return undefined
}

function sidecarWithoutStartup({ resource, container, at }: RuleContext): RuleFinding[] {
  if (at[0] !== 'initContainers' || container.restartPolicy !== 'Always' || isRecord(container.startupProbe)) return []
  const ports = new Set(
    (Array.isArray(container.ports) ? container.ports : [])
      .filter(isRecord)
      .map((port) => port.containerPort)
      .filter((port): port is number => typeof port === 'number'),
  )
  const image = typeof container.image === 'string' ? container.image : ''
  const proxy = PROXY_IMAGES.test(image.toLowerCase())
  const mains = (Array.isArray(resource.podSpec.containers) ? resource.podSpec.containers : []).filter(isRecord)
  let evidence: string | undefined
  for (const main of mains) {
    const why = connectsTo(main, ports) ?? (proxy ? `${echo(image)} is a connection proxy` : undefined)
    if (why !== undefined) {
      evidence = `${typeof main.name === 'string' ? echo(main.name) : 'a main container'} uses it (${why})`
      break
    }
  }
  if (evidence === undefined) return []
  const name = typeof container.name === 'string' ? echo(container.name) : 'the sidecar'
  const port = [...ports][0]
  const fix = proxy
    ? `Run the proxy with --health-check --http-address=0.0.0.0 and give it startupProbe: { httpGet: { path: /startup, port: 9090 }, periodSeconds: 1, failureThreshold: 30 }.`
    : `Give ${name} a startupProbe that passes once it accepts connections, e.g. startupProbe: { tcpSocket: { port: ${port ?? '<its port>'} }, periodSeconds: 1, failureThreshold: 30 }: the kubelet starts the main containers only after it passes.`
  return [
    {
      path: [],
      message: `The sidecar ${name} has no startupProbe, so the kubelet starts the main containers as soon as its process starts, not once it listens; ${evidence}, and its first connections at boot can be refused: a boot that gives up restarts the container.`,
      fix,
    },
  ]
}
