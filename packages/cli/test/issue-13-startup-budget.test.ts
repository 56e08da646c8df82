// Issue 13, item 13: the first startup probe can land before Node listens, so a threshold of
// failureThreshold guarantees only (failureThreshold − 1) × periodSeconds of boot. healthz
// manifest and the lint rules that compute probe budgets count it that way, and agree.
import { describe, expect, it } from 'vitest'
import { lint, renderManifest } from '../src/index.js'

/** The startup probe's periodSeconds and failureThreshold as printed. */
function startupOf(text: string): { period: number; threshold: number; comment: string } {
  const block = /startupProbe:[\s\S]*?periodSeconds: (\d+)[\s\S]*?failureThreshold: (\d+)(.*)/.exec(text)
  if (block === null) throw new Error(`no startupProbe in\n${text}`)
  return { period: Number(block[1]), threshold: Number(block[2]), comment: block[3] ?? '' }
}

const podWithLiveness = (fields: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: app\n      livenessProbe: { httpGet: { path: /livez, port: 8080 }, ${fields} }\n`

describe('issue-13 item 13: startup budget', () => {
  it('issue-13 item 13: manifest --boot-seconds 1 and 2 never print a startup failureThreshold below 2', () => {
    for (const bootSeconds of [1, 2]) {
      const { threshold } = startupOf(renderManifest({ bootSeconds }))
      expect(threshold).toBeGreaterThanOrEqual(2)
    }
  })

  it('issue-13 item 13: manifest guarantees --boot-seconds as (failureThreshold − 1) × periodSeconds, and no more than a period beyond it', () => {
    for (const bootSeconds of [1, 2, 3, 4, 59, 60, 61, 120, 300]) {
      const { period, threshold, comment } = startupOf(renderManifest({ bootSeconds }))
      const guaranteed = (threshold - 1) * period
      expect(guaranteed).toBeGreaterThanOrEqual(bootSeconds)
      expect(guaranteed - period).toBeLessThan(bootSeconds)
      // The comment states the guaranteed number, not threshold × period.
      expect(comment).toContain(`= ${guaranteed} s`)
    }
  })

  it('issue-13 item 13: startup-probe-missing suggests the failureThreshold healthz manifest prints for the same boot budget', async () => {
    // A healthz service (annotated), so the fix names /startupz and healthz manifest.
    const text = podWithLiveness('initialDelaySeconds: 90').replace('metadata: { name: p }', 'metadata: { name: p, annotations: { healthz/service: "true" } }')
    const [finding] = (await lint([{ file: 'p.yaml', text }])).findings.filter((f) => f.rule === 'startup-probe-missing')
    const budget = Number(/--boot-seconds (\d+)/.exec(finding?.fix ?? '')?.[1])
    // What the container has today: first probe at 90 s, restart at the 3rd failure 10 s apart.
    expect(budget).toBe(90 + (3 - 1) * 10)
    const { period, threshold } = startupOf(renderManifest({ bootSeconds: budget }))
    expect((threshold - 1) * period).toBeGreaterThanOrEqual(budget)
    expect(finding?.fix).toContain(`periodSeconds: 2, failureThreshold: ${threshold} }`)
  })

  it('issue-13 item 13: liveness-restart-too-fast counts the pause a liveness probe surely rides out, (failureThreshold − 1) × periodSeconds', async () => {
    const rulesFor = async (fields: string): Promise<string[]> => (await lint([{ file: 'p.yaml', text: podWithLiveness(fields) }])).findings.map((f) => f.rule)
    // One failed probe restarts: a pause that lands on a probe is enough, whatever the period.
    expect(await rulesFor('periodSeconds: 10, failureThreshold: 1')).toContain('liveness-restart-too-fast')
    expect(await rulesFor('periodSeconds: 5, failureThreshold: 2')).toContain('liveness-restart-too-fast')
    expect(await rulesFor('periodSeconds: 10, failureThreshold: 2')).not.toContain('liveness-restart-too-fast')
    expect(await rulesFor('periodSeconds: 10, failureThreshold: 3')).not.toContain('liveness-restart-too-fast')
  })

  it('issue-13 item 13: manifest comments give the same guaranteed and worst-case numbers for liveness and readiness', () => {
    const text = renderManifest()
    // Liveness 10 s × 3: a pause under 20 s never restarts; a wedged process is restarted within 30 s.
    expect(text).toMatch(/failureThreshold: 3 {2}# .*20 s.*30 s/)
    // Readiness 5 s × 2: out of the endpoints within 10 s (the drain), never before 5 s.
    expect(text).toMatch(/failureThreshold: 2 {2}# .*5 s.*10 s/)
  })
})
