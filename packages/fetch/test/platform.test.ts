// When the platform owns the server (no handle to stop): `export default { fetch }` served by
// Bun itself, and by `deno serve`. On SIGTERM healthz fails readiness through the drain delay,
// runs its onShutdown hooks and exits 0, which ends the platform's server. Bun keeps serving
// through the drain delay; `deno serve` closes its listener at the signal, before any load
// balancer has seen readiness fail (so on Deno, own the server: Deno.serve + drainOnShutdown).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { call } from '../../../test-utils/client.js'
import { forEachRuntime } from '../../../test-utils/runtimes.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const DRAIN_DELAY = 1000

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A free port, found by listening on 0 and closing. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const status = (port: number, path: string): Promise<number | string> =>
  call(port, path).then(
    (reply) => reply.status,
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  )

forEachRuntime('the platform-owns-the-server pattern', (runtime, binary) => {
  describe(`export default { fetch } under ${runtime === 'bun' ? 'Bun' : 'deno serve'}`, () => {
    it(`SIGTERM: readiness fails for the drain delay, ${runtime === 'bun' ? 'the app keeps answering' : 'but deno serve has already closed its listener'}; onShutdown runs, exit 0`, { timeout: 20_000 }, async () => {
      const port = await freePort()
      const args = runtime === 'bun' ? ['platform.mjs'] : ['serve', '--allow-all', '--host', '127.0.0.1', '--port', String(port), 'platform.mjs']
      const child = spawn(binary, args, { cwd: FIXTURES, env: { ...process.env, PORT: String(port), DRAIN_DELAY: String(DRAIN_DELAY), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
      children.push(child)
      let stdout = ''
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>
      for (let tries = 0; (await status(port, '/livez')) !== 200; tries += 1) {
        expect(tries, 'the child never answered').toBeLessThan(100)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(await status(port, '/readyz')).toBe(200)
      child.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, DRAIN_DELAY / 4))
      const during = [await status(port, '/readyz'), await status(port, '/livez'), await status(port, '/orders')]
      if (runtime === 'bun') expect(during).toEqual([503, 200, 200])
      else expect(during).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'])
      expect(stdout).not.toContain('onShutdown') // still in the drain delay
      const [code] = await exited
      expect(code).toBe(0)
      expect(stdout).toContain('{"event":"onShutdown"}')
    })
  })
})
