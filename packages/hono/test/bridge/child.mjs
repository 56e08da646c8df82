// The contract app under Bun or Deno, driven by the test over stdin/stdout, one JSON object a
// line (see ../bridge.ts for the parent's side). Plain JavaScript so that both runtimes run it
// as is; it imports the built packages (dist), as an application would.
//
// argv: the Hono module to use ('hono' or 'hono4', the two ends of the peer range).
// in:  { op: 'start', options?, plain? }       serve the app (plain: without healthz)
//      { op: 'reply', id, ok, message? }       the answer to a 'run' or 'seen' of ours
//      { op: 'markStarted', id } / { op: 'shutdown', id } / { op: 'close' }
// out: { op: 'listening', port } / { op: 'run', id, check } / { op: 'seen', id, url }
//      { op: 'done', id, result? } / { op: 'error', message }   (result: the shutdown's, with `errors`)
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, drainOnShutdown } from '../../dist/index.js'

const { Hono } = await import(process.argv[2] ?? 'hono')
const SLOW_MS = 500
const AUTH = 'Bearer secret'

let nextId = 0
const pending = new Map()
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)
/** Asks the parent and waits for its reply. */
const ask = (message) =>
  new Promise((resolve, reject) => {
    const id = (nextId += 1)
    pending.set(id, { resolve, reject })
    send({ ...message, id })
  })

/** A check whose `run` is the parent's closure: the parent runs it and replies ok or error, or never. */
const forwarded = (check) => ({ ...check, run: () => ask({ op: 'run', check: check.name }).then(() => undefined) })

/** What the health object reported through onError (SERVER_CLOSE_FAILED…), sent with the shutdown result. */
const errors = []

function healthOf(options) {
  return createHealth({
    ...options,
    onError: (error) => void errors.push({ code: error.code, message: error.message }),
    readiness: options.readiness?.map(forwarded),
    startup: options.startup?.map(forwarded),
    runtime: false,
  })
}

function appOf(health) {
  const app = new Hono()
  if (health !== undefined) app.use(createHealthMiddleware(health))
  app.use(async (c, next) => {
    const url = new URL(c.req.url)
    await ask({ op: 'seen', url: url.pathname + url.search }) // recorded by the parent before we answer
    if (c.req.header('authorization') !== AUTH) return c.json({ error: 'unauthorized' }, 401)
    await next()
    return undefined
  })
  app.get('/orders', (c) => c.json({ orders: [1, 2] }))
  app.get('/orders/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS))
    return c.text('slow ok')
  })
  return app
}

/** Bun.serve or Deno.serve; resolves with the server and its port. */
async function serve(fetch) {
  if (typeof globalThis.Bun !== 'undefined') {
    const server = globalThis.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch })
    return { server, port: server.port, stop: () => server.stop(true) }
  }
  let port
  // onListen runs inside Deno.serve(), before it returns the server.
  const server = globalThis.Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: (address) => void (port = address.port) }, fetch)
  return { server, port, stop: () => server.shutdown() }
}

let health
let served

async function handle(message) {
  switch (message.op) {
    case 'start': {
      health = message.plain ? undefined : healthOf(message.options)
      const app = appOf(health)
      served = await serve((request) => app.fetch(request))
      if (health !== undefined) drainOnShutdown(health, served.server)
      send({ op: 'listening', port: served.port })
      return
    }
    case 'reply': {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.ok) waiter?.resolve()
      else waiter?.reject(new Error(message.message))
      return
    }
    case 'markStarted':
      health.markStarted()
      send({ op: 'done', id: message.id })
      return
    case 'shutdown': {
      const { closeFailures, exitCode } = await health.shutdown()
      send({ op: 'done', id: message.id, result: { closeFailures, exitCode, errors } })
      return
    }
    case 'close':
      health?.close()
      await Promise.race([Promise.resolve(served?.stop()).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))])
      process.exit(0)
  }
}

let buffered = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  buffered += chunk
  for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
    const line = buffered.slice(0, end)
    buffered = buffered.slice(end + 1)
    handle(JSON.parse(line)).catch((error) => send({ op: 'error', message: String(error?.stack ?? error) }))
  }
})
process.stdin.on('end', () => process.exit(0)) // the test is gone
