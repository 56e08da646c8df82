// The built `healthz` bin as users run it: a child process with real stdin, stdout, stderr and
// exit status (run `pnpm build` first; `npm test` at the root does).
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, fixture, runBin as run } from './helpers.js'

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> }

const server = createServer((req, res) => {
  res.writeHead(req.url === '/livez' ? 200 : 503)
  res.end()
})
let port = 0
beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm --filter @healthz/cli build first`)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

describe('the healthz bin', () => {
  it('is what package.json points at, with a shebang', () => {
    expect(PACKAGE.bin.healthz).toBe('./dist/bin.js')
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('probe: exit 0, 1 and 2', async () => {
    expect((await run(['probe', `http://127.0.0.1:${port}/livez`, '-q'])).status).toBe(0)
    const failed = await run(['probe', `http://127.0.0.1:${port}/readyz`])
    expect(failed).toMatchObject({ status: 1, stdout: '' })
    expect(failed.stderr).toBe(`healthz probe: HTTP 503 Service Unavailable from http://127.0.0.1:${port}/readyz, expected 200-399\n`)
    const usage = await run(['probe', 'bad url'])
    expect(usage.status).toBe(2)
    expect(usage.stderr).toBe('healthz probe: "bad url" is not a URL: give an absolute one, like http://127.0.0.1:8080/livez.\n')
  })

  it('probe: connection refused and timeout exit 1 with one line', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const refusedPort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const refused = await run(['probe', `http://127.0.0.1:${refusedPort}/livez`])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toBe(`healthz probe: connection refused by 127.0.0.1:${refusedPort}: nothing listens there (is the server up, and on this port?)\n`)

    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const silentPort = (silent.address() as AddressInfo).port
    try {
      const timedOut = await run(['probe', `http://127.0.0.1:${silentPort}/livez`, '--timeout', '300ms'])
      expect(timedOut.status).toBe(1)
      expect(timedOut.stderr).toBe(`healthz probe: no answer from http://127.0.0.1:${silentPort}/livez within 300ms (--timeout)\n`)
    } finally {
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('lint -: Helm output piped through stdin', async () => {
    const result = await run(['lint', '-'], readFileSync(fixture('input/helm-rendered.yaml'), 'utf8'))
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('<stdin>:46:21 (shop/templates/deployment.yaml)  error  liveness-dependency-endpoint')
  })

  it('lint: malformed YAML gives one line and exit 2, no stack trace', async () => {
    const result = await run(['lint', fixture('input/malformed.yaml')])
    expect(result.status).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('YAML syntax error at line 10')
  })

  it('manifest | lint -', async () => {
    const manifest = await run(['manifest', '--port', '3000'])
    expect(manifest.status).toBe(0)
    expect(await run(['lint', '-', '--fail-on', 'info'], manifest.stdout)).toMatchObject({ status: 0, stdout: 'healthz lint: no findings in 1 workload in 1 file.\n' })
  })

  it('--version prints the package version', async () => {
    expect(await run(['--version'])).toMatchObject({ status: 0, stdout: `${PACKAGE.version}\n` })
  })
})
