// `healthz lint` over real manifests (test/corpus: 14 public projects, sources.json gives repo,
// commit and path of each file), against an SRE's classification of every finding
// (classification.json: true-positive, debatable or false-positive, with a reason). A new rule,
// or a change to one, that adds an unclassified finding, brings back a false positive, loses a
// true positive or drops precision below 0.9 fails here.
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../src/index.js'
import { cli } from './helpers.js'

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url))
type Class = 'true-positive' | 'debatable' | 'false-positive'
interface Classified {
  finding: string
  class: Class
  reason: string
}
interface Source {
  file: string
  repo: string
  commit: string
  path: string
}

const keyOf = (f: Finding): string => `${f.file.slice(CORPUS.length)} | ${f.resource.kind}/${f.resource.name} | ${f.container} | ${f.rule}`

async function run(): Promise<{ status: number; stderr: string; findings: Finding[] }> {
  const result = await cli(['lint', CORPUS, '--format', 'json'])
  return { status: result.status, stderr: result.stderr, findings: (JSON.parse(result.stdout) as { findings: Finding[] }).findings }
}

describe('the real-world corpus', async () => {
  const classified = JSON.parse(await readFile(new URL('./corpus/classification.json', import.meta.url), 'utf8')) as Classified[]
  const sources = JSON.parse(await readFile(new URL('./corpus/sources.json', import.meta.url), 'utf8')) as Source[]
  const byKey = new Map(classified.map((entry) => [entry.finding, entry]))
  const { status, stderr, findings } = await run()
  const keys = findings.map(keyOf)

  it('holds at least 25 manifests from at least 10 projects, each with its source', async () => {
    const files = (await readdir(CORPUS, { recursive: true })).filter((file) => /\.ya?ml$/.test(file)).sort()
    expect(files.length).toBeGreaterThanOrEqual(25)
    expect(sources.map((source) => source.file).sort()).toEqual(files)
    expect(new Set(sources.map((source) => source.repo)).size).toBeGreaterThanOrEqual(10)
    for (const source of sources) expect(source.commit).toMatch(/^[0-9a-f]{40}$/)
  })

  it('every finding is classified, with a reason, and each classification is used once', () => {
    expect(keys.filter((key) => !byKey.has(key))).toEqual([])
    expect(new Set(keys).size).toBe(keys.length)
    for (const entry of classified) expect(entry.reason.length).toBeGreaterThan(10)
  })

  it('no classified false positive comes back', () => {
    expect(keys.filter((key) => byKey.get(key)?.class === 'false-positive')).toEqual([])
  })

  it('every listed true positive is still reported', () => {
    const found = new Set(keys)
    expect(classified.filter((entry) => entry.class === 'true-positive' && !found.has(entry.finding)).map((entry) => entry.finding)).toEqual([])
  })

  it('precision, true positives ÷ (true + false positives) over every rule, is at least 0.9', () => {
    const count = (kind: Class): number => keys.filter((key) => byKey.get(key)?.class === kind).length
    const precision = count('true-positive') / (count('true-positive') + count('false-positive'))
    expect(precision).toBeGreaterThanOrEqual(0.9)
  })

  it('fails CI only on true positives: every error is one', () => {
    const errors = findings.filter((finding) => finding.severity === 'error').map(keyOf)
    expect(errors.filter((key) => byKey.get(key)?.class !== 'true-positive')).toEqual([])
    expect(status).toBe(errors.length > 0 ? 1 : 0)
  })

  it('flags the real risks: a dependency check behind liveness, a fast liveness restart, no readiness behind a Service, no drain on SIGTERM', () => {
    const truePositives = new Set(keys.filter((key) => byKey.get(key)?.class === 'true-positive').map((key) => key.split(' | ')[3]))
    for (const rule of ['liveness-dependency-endpoint', 'liveness-restart-too-fast', 'readiness-probe-missing', 'shutdown-no-drain']) expect(truePositives).toContain(rule)
  })

  it('skips Chart.yaml and a values file with a notice instead of failing the run', () => {
    expect(stderr).toContain('skipped ')
    expect(stderr).toContain('aks-store-demo/Chart.yaml: document 1, line 1: is not a Kubernetes object: it has no kind')
    expect(stderr).toContain('tempo/microservices-tempo-values.yaml')
    expect(stderr.trim().split('\n')).toHaveLength(2)
  })
})
