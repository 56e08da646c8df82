// End to end with a real Prometheus server (Debian package `prometheus`, 2.42; .ci/run installs
// it): a small service serves probes and /metrics, Prometheus scrapes it every second, a check is
// made to fail, and the test asks Prometheus's HTTP API until it sees the failure. Skipped with a
// message when the binary is missing outside CI; with CI set, a missing binary fails the test.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import { registerHealthMetrics } from '@healthz/prometheus'
import { Registry } from 'prom-client'

const HOST = '127.0.0.1'
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus'
const found = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' })
const available = found.status === 0
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
if (!available && !inCi) {
  console.warn(`[prometheus-server.test] skipped: no \`${PROMETHEUS}\` binary (apt-get install -y prometheus, or set PROMETHEUS_BIN). With CI set this test fails instead.`)
}

const cleanups: (() => unknown)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port))
  })
}

async function freePort(): Promise<number> {
  const probe = createServer()
  const port = await listen(probe)
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Prometheus's instant query API: the value of each series, by the label asked for. */
async function query(base: string, expression: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expression)}`)
  const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }
  if (body.status !== 'success') throw new Error(`query ${expression}: ${JSON.stringify(body)}`)
  return body.data?.result ?? []
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await attempt()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await sleep(250)
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last === undefined ? '' : ` (last error: ${String(last)})`}`)
}

describe.skipIf(!available && !inCi)('a real Prometheus scraping a healthz service', () => {
  it('sees healthz_check_status{state="fail"} become 1 for a check made to fail', { timeout: 90_000 }, async () => {
    expect(available, `CI is set and \`${PROMETHEUS} --version\` failed (${found.error?.message ?? found.stderr}): .ci/run installs the Debian package prometheus`).toBe(true)

    // The service: a readiness check on a background loop, probes and /metrics on one port.
    let up = true
    const db = defineCheck({ name: 'orders-db', interval: 250, run: () => { if (!up) throw new Error('ECONNREFUSED') } })
    const health = createHealth({ service: { name: 'orders' }, readiness: [db], runtime: false })
    health.markStarted()
    const registry = new Registry()
    cleanups.push(registerHealthMetrics(health, { registry }), () => health.close())
    const service = createServer((request, response) => {
      if (request.url === '/metrics') {
        void registry.metrics().then((text) => {
          response.writeHead(200, { 'content-type': registry.contentType })
          response.end(text)
        })
        return
      }
      void health.handle({ method: request.method, path: request.url ?? '/' }).then((answer) => {
        if (answer === undefined) response.writeHead(404).end()
        else response.writeHead(answer.status, answer.headers).end(answer.body)
      })
    })
    const servicePort = await listen(service)
    cleanups.push(() => new Promise((resolve) => service.close(resolve)))

    // Prometheus, as a child process of this test, with its own config and storage.
    const dir = mkdtempSync(join(tmpdir(), 'healthz-prometheus-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const config = join(dir, 'prometheus.yml')
    writeFileSync(config, [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: orders',
      '    static_configs:',
      `      - targets: ['${HOST}:${servicePort}']`,
      '',
    ].join('\n'))
    const prometheusPort = await freePort()
    const base = `http://${HOST}:${prometheusPort}`
    let log = ''
    const child: ChildProcess = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${HOST}:${prometheusPort}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
    cleanups.push(async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))])
    })

    try {
      await until('Prometheus ready', 30_000, async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined))
      // Scraped, and passing.
      const passing = await until('the pass state scraped', 30_000, async () => {
        const result = await query(base, 'healthz_check_status{check="orders-db", state="pass", service="orders", probe="readiness"}')
        return result[0]?.value[1] === '1' ? result : undefined
      })
      expect(passing[0]?.metric).toMatchObject({ job: 'orders', check: 'orders-db', probe: 'readiness', state: 'pass', service: 'orders' })

      up = false // the background loop records the failure; the next scrape reads it from memory
      const failing = await until('healthz_check_status{state="fail"} == 1', 30_000, async () => {
        const result = await query(base, 'healthz_check_status{check="orders-db", state="fail"}')
        return result[0]?.value[1] === '1' ? result : undefined
      })
      expect(failing).toHaveLength(1)
      const readiness = await query(base, 'healthz_probe_status{probe="readiness"}')
      expect(readiness[0]?.value[1]).toBe('0')
      const runs = await query(base, 'healthz_check_runs_total{check="orders-db", result="fail"}')
      expect(Number(runs[0]?.value[1])).toBeGreaterThanOrEqual(1)
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- prometheus log (tail) ---\n${log.split('\n').slice(-20).join('\n')}`, { cause: error })
    }
  })
})
