// Runs an example server as a real child process, the way people start it, for the examples'
// tests: waits for its "listening on http://…" line, collects its output, and gives the test
// `get` and `until` against its address. Needs the workspace packages built (`pnpm build`).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

export interface RunningExample {
  readonly child: ChildProcess
  readonly base: string
  /** Everything the process printed so far, stdout and stderr. */
  output(): string
  get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }>
  /** Polls `path` until it answers `status`, for at most `within` ms. */
  until(path: string, status: number, within?: number): Promise<void>
  /** SIGKILLs the process if it is still running. */
  kill(): void
}

export async function runExample(server: string, env: Record<string, string>): Promise<RunningExample> {
  let output = ''
  const child = spawn(process.execPath, [server], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => (output += chunk))
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server} did not print its address in time:\n${output}`)), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${server} exited early with code ${String(code)}:\n${output}`))
    })
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
  })

  const get: RunningExample['get'] = async (path, init) => {
    const response = await fetch(base + path, init)
    return { status: response.status, headers: response.headers, body: await response.text() }
  }
  return {
    child,
    base,
    output: () => output,
    get,
    async until(path, status, within = 10_000) {
      const deadline = Date.now() + within
      let last = 0
      while (Date.now() < deadline) {
        last = (await get(path)).status
        if (last === status) return
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(`${path} still answered ${last}, not ${status}, after ${within} ms:\n${output}`)
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}
