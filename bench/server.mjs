// One benchmark target, run by bench/probes.mjs as a child process so that the server and the
// load generator never share an event loop (or, with taskset, a core).
//
//   node bench/server.mjs <kind>
//
//   bare                 a bare node:http server answering `ok`: the baseline of everything
//   bare-probe           a bare node:http server writing healthz's /livez bytes, no path matching
//   healthz              createHealthListener over a started health object (/livez, /readyz)
//   healthz-prometheus   the same, with @healthz/prometheus's collectors registered on a registry
//   express-route        an Express app whose one route answers `ok`: the framework's baseline
//   express-middleware   the same app with createHealthMiddleware(health) registered first
//   express-listen       the same app started with @healthz/express listen(): the fast path
//   express-terminus     the same app with @godaddy/terminus on its server (/livez)
//   koa-route, koa-middleware, koa-listen, koa-terminus   the same four for Koa
//   hono-route           a Hono 4 app on @hono/node-server whose one route answers `ok`
//   hono-middleware      the same app with @healthz/hono's createHealthMiddleware(health) first
//   fastify-route        a Fastify 5 app whose one route answers `ok`: the framework's baseline
//   fastify-route-probe  the same app with a /livez route writing healthz's /livez bytes itself
//   fastify-fast         the same app with the @healthz/fastify plugin (serve 'server'): the fast path
//   fastify-plugin       the same app with the plugin's in-Fastify path (serve 'route')
//   fastify-under-pressure  the same app with @fastify/under-pressure's status route (/status)
//
// It listens on 127.0.0.1 on a free port, prints `{"port":N}` on one stdout line when ready,
// and exits when stdin closes or on SIGTERM/SIGINT: the parent holds our stdin open, so we go
// away even if the parent is killed without a chance to clean up. Exiting through
// process.exit() (not a signal's default action) lets `node --cpu-prof` write its profile.
import { createServer } from 'node:http'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { createTerminus } from '@godaddy/terminus'
import express from 'express'
import Koa from 'koa'

// Import the built packages by path: bench/ is not a workspace package, and measuring the
// published artefact (dist) is the point. The adapters' dist resolves @healthz/core and
// @healthz/http through their workspace symlinks to these same files: one copy in the process.
import { createHealth, defineCheck } from '../packages/core/dist/index.js'
import { createHealthListener } from '../packages/http/dist/index.js'
import * as healthzExpress from '../packages/express/dist/index.js'
import * as healthzKoa from '../packages/koa/dist/index.js'

const HOST = '127.0.0.1'
const kind = process.argv[2]

function createBenchHealth() {
  // Five dependency checks with the default 1000 ms cache: under load /readyz is answered from
  // the cache, and each check runs about once a second. The "trivial async thing" is a hop
  // through the event loop, standing in for a ping whose cost is not what we measure here.
  const readiness = ['postgres', 'redis', 'kafka', 'billing-api', 's3'].map((name) =>
    defineCheck({
      name,
      kind: 'dependency',
      run: async () => {
        await nextTurn()
      },
    }),
  )
  // No liveness checks: /livez measures the fixed cost of the SDK's request path. Signals are
  // ours (below), so the health object installs no handlers.
  const health = createHealth({ service: { name: 'bench', version: '0.0.0' }, readiness, shutdown: { signals: false } })
  health.markStarted()
  return health
}

/** The application every framework target shares: one route answering `ok`. */
function expressApp() {
  const app = express()
  app.get('/', (_req, res) => {
    res.send('ok')
  })
  return app
}

function koaApp(health) {
  const app = new Koa()
  if (health !== undefined) app.use(healthzKoa.createHealthMiddleware(health))
  app.use((ctx) => {
    if (ctx.path === '/') ctx.body = 'ok'
  })
  return app
}

function listening(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolve(server))
  })
}

/** Terminus as its README sets it up: on the app's server, the health check a resolved promise. */
function withTerminus(server) {
  createTerminus(server, { healthChecks: { '/livez': async () => {} } })
  return server
}

// Fastify and its plugins are the fastify package's devDependencies: loaded only for its targets.
const fastifyPackage = new URL('../packages/fastify/', import.meta.url)
async function fastifyApp(register) {
  const { default: Fastify } = await import(new URL('node_modules/fastify/fastify.js', fastifyPackage).href)
  const app = Fastify()
  await register?.(app)
  app.get('/', (_request, reply) => {
    reply.send('ok')
  })
  await app.listen({ port: 0, host: HOST })
  return app.server
}
async function withHealthzPlugin(serve) {
  const { healthz } = await import(new URL('dist/index.js', fastifyPackage).href)
  return fastifyApp((app) => app.register(healthz, { health: createBenchHealth(), serve }))
}

const targets = {
  bare: () => listening(createServer((_req, res) => res.end('ok'))),
  // The same bytes healthz answers /livez with (status, the three headers DESIGN §2 asks for,
  // the health+json body), written by a bare listener with no path matching: the floor of any
  // probe answer that carries those headers, so livez ÷ bare-probe is the SDK's own cost.
  'bare-probe': async () => {
    const answer = await createBenchHealth().handle({ method: 'GET', path: '/livez' })
    const raw = Object.entries(answer.headers).flat()
    return listening(createServer((_req, res) => {
      res.writeHead(answer.status, raw)
      res.end(answer.body)
    }))
  },
  healthz: () => listening(createServer(createHealthListener(createBenchHealth()))),
  // Loaded only for this target (the package and its peer, from the package's own install).
  'healthz-prometheus': async () => {
    const { registerHealthMetrics } = await import('../packages/prometheus/dist/index.js')
    const { Registry } = await import('../packages/prometheus/node_modules/prom-client/index.js')
    const health = createBenchHealth()
    registerHealthMetrics(health, { registry: new Registry() })
    return listening(createServer(createHealthListener(health)))
  },
  'express-route': () => listening(createServer(expressApp())),
  'express-middleware': () => {
    const app = express()
    app.use(healthzExpress.createHealthMiddleware(createBenchHealth()))
    app.get('/', (_req, res) => {
      res.send('ok')
    })
    return listening(createServer(app))
  },
  'express-listen': () => healthzExpress.listen(expressApp(), createBenchHealth(), { port: 0, host: HOST }),
  'express-terminus': () => listening(withTerminus(createServer(expressApp()))),
  'koa-route': () => listening(createServer(koaApp().callback())),
  'koa-middleware': () => listening(createServer(koaApp(createBenchHealth()).callback())),
  'koa-listen': () => healthzKoa.listen(koaApp(), createBenchHealth(), { port: 0, host: HOST }),
  'koa-terminus': () => listening(withTerminus(createServer(koaApp().callback()))),
  'fastify-route': () => fastifyApp(),
  // A Fastify route writing the exact bytes healthz answers /livez with (as bare-probe does for
  // node:http): the floor of the in-Fastify path, so fastify-plugin ÷ this is the plugin's own cost.
  'fastify-route-probe': async () => {
    const answer = await createBenchHealth().handle({ method: 'GET', path: '/livez' })
    const raw = Object.entries(answer.headers).flat()
    return fastifyApp((app) => {
      app.get('/livez', (_request, reply) => {
        reply.hijack()
        reply.raw.writeHead(answer.status, raw)
        reply.raw.end(answer.body)
      })
    })
  },
  'fastify-fast': () => withHealthzPlugin('server'),
  'fastify-plugin': () => withHealthzPlugin('route'),
  'fastify-under-pressure': async () => {
    const { default: underPressure } = await import(new URL('node_modules/@fastify/under-pressure/index.js', fastifyPackage).href)
    return fastifyApp((app) => app.register(underPressure, { exposeStatusRoute: '/status' }))
  },
  // Loaded only for these targets (Hono and its Node server, from @healthz/hono's own install).
  'hono-route': () => honoServer(false),
  'hono-middleware': () => honoServer(true),
}

/** A Hono app on @hono/node-server (a node:http server underneath), its one route answering `ok`. */
async function honoServer(withHealthz) {
  const { Hono } = await import('../packages/hono/node_modules/hono/dist/index.js')
  const { createAdaptorServer } = await import('../packages/hono/node_modules/@hono/node-server/dist/index.mjs')
  const app = new Hono()
  if (withHealthz) {
    const { createHealthMiddleware } = await import('../packages/hono/dist/index.js')
    app.use(createHealthMiddleware(createBenchHealth()))
  }
  app.get('/', (c) => c.text('ok'))
  return listening(createAdaptorServer({ fetch: app.fetch }))
}

if (!(kind in targets)) {
  console.error(`usage: node bench/server.mjs ${Object.keys(targets).join('|')}`)
  process.exit(2)
}

const server = await targets[kind]()
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)

function shutdown() {
  server.closeAllConnections()
  server.close()
  process.exit(0)
}
process.stdin.on('end', shutdown)
process.stdin.on('error', shutdown)
process.stdin.resume()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
