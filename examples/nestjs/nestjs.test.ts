// The NestJS example as it runs: built by esbuild (its `build` script: no decorator metadata)
// and started as a process against the real Postgres, then stopped with SIGTERM.
import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../../test-utils/client.js'

const dir = fileURLToPath(new URL('.', import.meta.url))
const token = { authorization: 'Bearer example-token' }

describe('examples/nestjs', () => {
  let child: ReturnType<typeof spawn>
  let port = 0
  const output: string[] = []
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  beforeAll(async () => {
    execFileSync('pnpm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'pipe' })
    child = spawn(process.execPath, ['dist/main.mjs'], {
      cwd: dir,
      env: { ...process.env, PORT: '0', API_TOKEN: 'example-token', DRAIN_MS: '600', PGUSER: process.env.PGUSER ?? 'postgres' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    for (let i = 0; i < 150 && port === 0; i++) {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output.join(''))
      if (match !== null) port = Number(match[1])
      else await sleep(100)
    }
    if (port === 0) throw new Error(`the example did not start: ${output.join('')}`)
  }, 30_000)

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  it('answers the probes without a token, with the Postgres check from DI, while every route needs one', async () => {
    const ready = await call(port, '/readyz')
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'pass', serviceId: 'orders', checks: { 'postgres:responseTime': [{ status: 'pass', componentType: 'datastore' }] } })
    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/startupz')).status).toBe(200)
    expect((await call(port, '/orders')).status).toBe(401)
    const orders = await call(port, '/orders', { headers: token })
    expect(orders.status).toBe(200)
    expect(JSON.parse(orders.body)).toMatchObject({ orders: [] })
  })

  it('drains on SIGTERM: readiness fails first, routes keep working, then the process exits', async () => {
    child.kill('SIGTERM')
    await sleep(150)
    expect((await call(port, '/readyz')).status).toBe(503)
    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/orders', { headers: token })).status).toBe(200) // the pool is still open
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' })
    await expect(call(port, '/livez')).rejects.toThrow(/ECONNREFUSED/)
  })
})
