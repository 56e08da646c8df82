// The parent's side of the bridge to a Bun or Deno child (bridge/child.mjs): the contract app
// runs under that runtime, and the test keeps its in-process check closures and health handle.
// Each check's `run` is forwarded here and answered ok or error (or never, for a hung one);
// `markStarted` and `shutdown` are forwarded there.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { AdapterUnderTest, ContractCheck, ContractHealth, ContractOptions, Running, Served } from '../../../test-utils/contract.js'
import type { RuntimeName } from '../../../test-utils/runtimes.js'

const CHILD = fileURLToPath(new URL('./bridge/child.mjs', import.meta.url))

/** The shutdown result as the child reports it: with what its health object reported through onError. */
export interface ChildShutdownResult {
  closeFailures: number
  exitCode: number
  errors: Array<{ code?: string; message: string }>
}

interface Message {
  op: string
  id?: number
  port?: number
  check?: string
  url?: string
  message?: string
  result?: ChildShutdownResult
}

/** One child process running the contract app, and the conversation with it. */
class Child {
  readonly seenByAuth: string[] = []
  private readonly process: ChildProcessWithoutNullStreams
  private readonly checks = new Map<string, ContractCheck>()
  private readonly waiting = new Map<number, (message: Message) => void>()
  private listening: { resolve: (port: number) => void; reject: (error: Error) => void } | undefined
  private nextId = 0
  private readonly exited: Promise<void>
  private stderr = ''

  constructor(binary: string, runtime: RuntimeName, hono: string) {
    const args = runtime === 'deno' ? ['run', '--allow-all', CHILD, hono] : [CHILD, hono]
    this.process = spawn(binary, args, { cwd: dirname(CHILD), stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    this.process.stderr.setEncoding('utf8')
    this.process.stderr.on('data', (chunk: string) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()))
    createInterface({ input: this.process.stdout }).on('line', (line) => this.receive(JSON.parse(line) as Message))
  }

  start(options: ContractOptions | undefined): Promise<number> {
    for (const check of [...(options?.readiness ?? []), ...(options?.startup ?? [])]) this.checks.set(check.name, check)
    const strip = (checks: ContractCheck[] | undefined) => checks?.map(({ run: _run, ...rest }) => rest)
    const port = new Promise<number>((resolve, reject) => {
      this.listening = { resolve, reject }
      void this.exited.then(() => reject(new Error(`the child exited before listening:\n${this.stderr}`)))
    })
    this.send({ op: 'start', plain: options === undefined, options: options && { ...options, readiness: strip(options.readiness), startup: strip(options.startup) } })
    return port
  }

  /** Sends a request the child answers with `done`. */
  request(op: string): Promise<Message> {
    const id = (this.nextId += 1)
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve)
      void this.exited.then(() => reject(new Error(`the child exited before answering ${op}:\n${this.stderr}`)))
      this.send({ op, id })
    })
  }

  async close(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.send({ op: 'close' })
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000)
    await this.exited
    clearTimeout(timer)
  }

  private send(message: object): void {
    if (this.process.stdin.writable) this.process.stdin.write(`${JSON.stringify(message)}\n`)
  }

  private receive(message: Message): void {
    switch (message.op) {
      case 'listening':
        this.listening?.resolve(message.port as number)
        this.listening = undefined
        return
      case 'seen':
        this.seenByAuth.push(message.url as string)
        this.send({ op: 'reply', id: message.id, ok: true })
        return
      case 'run': {
        const check = this.checks.get(message.check as string)
        // A hung closure never settles: no reply, and the child's deadline answers.
        Promise.resolve()
          .then(() => check?.run())
          .then(
            () => this.send({ op: 'reply', id: message.id, ok: true }),
            (error: unknown) => this.send({ op: 'reply', id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
          )
        return
      }
      case 'done':
        this.waiting.get(message.id as number)?.(message)
        this.waiting.delete(message.id as number)
        return
      case 'error': {
        const error = new Error(`the ${this.process.spawnfile} child failed: ${message.message}`)
        if (this.listening === undefined) throw error
        this.listening.reject(error) // a start that failed; later, the uncaught error fails the test
        this.listening = undefined
        return
      }
    }
  }
}

/** The child's health object, as the test holds it. */
export interface ChildHealth extends ContractHealth {
  shutdown(): Promise<ChildShutdownResult>
}

/** The app served in the child, with its health object. */
export interface ChildServed extends Served {
  health: ChildHealth
}

/** An entry of the contract's table whose `start` says what the child reports. */
export interface RuntimeAdapter extends AdapterUnderTest {
  start(options: ContractOptions): Promise<ChildServed>
}

/** The contract's adapter entry for Hono served by Bun.serve or Deno.serve in a child process. */
export function runtimeAdapter(runtime: RuntimeName, binary: string, hono: 'hono' | 'hono4', label: string): RuntimeAdapter {
  const launch = async (options?: ContractOptions): Promise<{ child: Child; running: Running }> => {
    const child = new Child(binary, runtime, hono)
    const port = await child.start(options)
    return { child, running: { port, base: '', seenByAuth: child.seenByAuth, close: () => child.close() } }
  }
  return {
    name: `${label} under ${runtime === 'bun' ? 'Bun' : 'Deno'}`,
    async start(options: ContractOptions) {
      const { child, running } = await launch(options)
      const health: ChildHealth = {
        markStarted: () => child.request('markStarted'),
        shutdown: async () => (await child.request('shutdown')).result as ChildShutdownResult,
      }
      return { ...running, health }
    },
    async startPlain() {
      return (await launch()).running
    },
  }
}
