// The exec rule: an exec probe that calls curl or wget in an image known to leave them out fails
// with "executable file not found".
import { echo } from '../../escape.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/** `exec-probe-missing-tool`. @internal */
export const execProbeMissingTool = {
  id: 'exec-probe-missing-tool',
  severity: 'info',
  summary: 'An exec probe calls curl or wget in an image known to lack it.',
  description:
    'Slim, distroless and Alpine images leave out curl (and some wget, or a shell): the probe then fails with "executable file not found" and the container is restarted, or never becomes ready.',
  check: execMissingTool,
} as const satisfies Rule

/** What a base image leaves out. @internal */
export interface ImageTools {
  readonly label: string
  readonly curl: boolean
  readonly wget: boolean
  readonly shell: boolean
}

/** What well-known base images leave out (the prestop rules ask too). @internal */
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

function execMissingTool({ container, probes }: RuleContext): RuleFinding[] {
  const image = typeof container.image === 'string' ? container.image : ''
  const tools = imageTools(image)
  if (tools === undefined) return []
  const findings: RuleFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'exec' || probe.command.length === 0) continue
    const line = probe.command.join(' ')
    const missing = (['curl', 'wget'] as const).find((tool) => !tools[tool] && new RegExp(`(^|[\\s;&|/"'])${tool}(\\s|$)`).test(line))
    if (missing === undefined) continue
    const port = probes.liveness?.port ?? probes.readiness?.port ?? 8080
    const path = probe.type === 'liveness' ? '/livez' : probe.type === 'readiness' ? '/readyz' : '/startupz'
    findings.push({
      path: [probe.key, 'exec', 'command'],
      message: `${probe.key} runs ${missing}, which ${tools.label} do not ship (${echo(image)}): the probe fails with "executable file not found"${tools.shell ? '' : ' (there is no shell either)'}.`,
      fix: `Use an httpGet probe, or healthz probe, which needs only node: exec: { command: ["node", "node_modules/@healthz/cli/dist/bin.js", "probe", "http://127.0.0.1:${typeof port === 'number' ? port : 8080}${path}"] }.`,
    })
  }
  return findings
}
