// One backend of the rolling-restart test, run as a child process on the built packages (dist):
//
//   ADAPTER=<http|express|koa|fastify|fastify-route|nest-server-express|nest-controller-express|nest-server-fastify|nest-controller-fastify> node backend.mjs
//
// Env: DRAIN_DELAY, GRACE_PERIOD (ms, healthz's shutdown timings), CHECK_MS (how long the
// readiness check takes), CACHE (ms its result is reused).
//
// Every adapter serves the same application, GET /work?ms=N (`ok` after N ms, default 5–30), and
// the probes the way its README sets them up for production. The readiness check prints a line
// each time it starts, so that the test can deliver SIGTERM while a readiness evaluation is in
// flight. stdout, one JSON line each: {"event":"listening","port"}, {"event":"check"}, and on exit
// {"event":"counts","accepted","answered","lost"} — `lost`: /work requests the application
// accepted whose connection went away before the answer was written (a drop on the backend's side).
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const HOST = '127.0.0.1'
const ADAPTER = process.env.ADAPTER ?? 'http'
const DRAIN_DELAY = Number(process.env.DRAIN_DELAY ?? 0)
const GRACE_PERIOD = Number(process.env.GRACE_PERIOD ?? 5000)
const CHECK_MS = Number(process.env.CHECK_MS ?? 200)
const CACHE = Number(process.env.CACHE ?? 0)

const packages = new URL('../../packages/', import.meta.url)
const dist = (name) => import(new URL(`${name}/dist/index.js`, packages).href)
// Nest and its platforms are the nestjs package's devDependencies; express and koa the root's.
const fromNest = createRequire(new URL('nestjs/package.json', packages))
const nestImport = (specifier) => import(pathToFileURL(fromNest.resolve(specifier)).href)
// Fastify is the fastify package's devDependency.
const fromFastify = createRequire(new URL('fastify/package.json', packages))

const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`)

const { createHealth, defineCheck } = await dist('core')

const healthOptions = {
  service: { name: `rolling-${ADAPTER}` },
  readiness: [
    defineCheck({
      name: 'dependency',
      cache: CACHE,
      timeout: CHECK_MS + 500,
      run: async () => {
        print({ event: 'check' })
        await sleep(CHECK_MS)
      },
    }),
  ],
  shutdown: { drainDelay: DRAIN_DELAY, gracePeriod: GRACE_PERIOD },
  onError: (error) => process.stderr.write(`[healthz] ${error.code ?? ''} ${error.message}\n`),
}
// The Nest module creates its own health object from the same options.
const health = ADAPTER.startsWith('nest-') ? undefined : createHealth(healthOptions)

const counts = { accepted: 0, answered: 0, lost: 0 }
// Nest ends the process by re-raising the signal, and no 'exit' event fires then: the Nest
// backends print their counts from onApplicationShutdown, once the server has closed.
process.on('exit', (code) => print({ event: 'counts', code, ...counts }))

/** Counts /work requests at the server, whatever the framework: accepted, answered, lost. */
function countWork(server) {
  server.prependListener('request', (req, res) => {
    if (!req.url?.startsWith('/work')) return
    counts.accepted += 1
    res.once('close', () => {
      if (res.writableFinished) counts.answered += 1
      else counts.lost += 1
    })
  })
}

const workMs = (value) => (value === undefined || value === null || value === '' ? 5 + Math.random() * 25 : Number(value))

const adapters = {
  // node:http: the health listener ahead of the application, the server drained (packages/http README).
  async http() {
    const { createHealthListener, drainOnShutdown } = await dist('http')
    const server = createServer(
      createHealthListener(health, {
        next: async (req, res) => {
          const url = new URL(req.url ?? '/', 'http://x')
          if (url.pathname !== '/work') {
            res.writeHead(404).end()
            return
          }
          await sleep(workMs(url.searchParams.get('ms')))
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
        },
      }),
    )
    countWork(server)
    drainOnShutdown(health, server)
    await new Promise((resolve) => server.listen(0, HOST, resolve))
    health.markStarted()
    return server.address().port
  },

  // Express: listen() from @healthz/express (probes at the server's request event, drain).
  async express() {
    const { default: express } = await import('express')
    const { listen } = await dist('express')
    const app = express()
    app.get('/work', async (req, res) => {
      await sleep(workMs(req.query.ms))
      res.type('text/plain').send('ok')
    })
    const server = await listen(app, health, { port: 0, host: HOST })
    countWork(server)
    health.markStarted()
    return server.address().port
  },

  // Koa: listen() from @healthz/koa.
  async koa() {
    const { default: Koa } = await import('koa')
    const { listen } = await dist('koa')
    const app = new Koa()
    app.use(async (ctx) => {
      if (ctx.path !== '/work') return
      await sleep(workMs(ctx.query.ms))
      ctx.body = 'ok'
    })
    const server = await listen(app, health, { port: 0, host: HOST })
    countWork(server)
    health.markStarted()
    return server.address().port
  },
}

// Fastify 5 with the @healthz/fastify plugin, serve 'server' (the default) or 'route': health.shutdown()
// on SIGTERM fails readiness, waits the drain delay, drains the server, then closes Fastify.
for (const serve of ['server', 'route']) {
  adapters[serve === 'server' ? 'fastify' : 'fastify-route'] = async () => {
    const Fastify = fromFastify('fastify')
    const { healthz } = await dist('fastify')
    const app = Fastify()
    await app.register(healthz, { health, serve })
    app.get('/work', async (request, reply) => {
      await sleep(workMs(request.query.ms))
      return reply.type('text/plain').send('ok')
    })
    countWork(app.server)
    await app.listen({ port: 0, host: HOST })
    health.markStarted()
    return app.server.address().port
  }
}

// NestJS 12 with HealthModule (serve 'server' or 'controller'), on Express or Fastify, with
// app.enableShutdownHooks() as the README says. Decorators applied as functions: no build step.
for (const serve of ['server', 'controller']) {
  for (const platform of ['express', 'fastify']) {
    adapters[`nest-${serve}-${platform}`] = async () => {
      await nestImport('reflect-metadata')
      const { Controller, Get, Module, Query } = await nestImport('@nestjs/common')
      const { NestFactory } = await nestImport('@nestjs/core')
      const { ExpressAdapter } = await nestImport('@nestjs/platform-express')
      const { FastifyAdapter } = await nestImport('@nestjs/platform-fastify')
      const { HealthModule } = await dist('nestjs')

      class WorkController {
        async work(ms) {
          await sleep(workMs(ms))
          return 'ok'
        }
      }
      Controller()(WorkController)
      Query('ms')(WorkController.prototype, 'work', 0)
      Get('work')(WorkController.prototype, 'work', Object.getOwnPropertyDescriptor(WorkController.prototype, 'work'))

      class Counts {
        onApplicationShutdown() {
          print({ event: 'counts', ...counts })
        }
      }

      class AppModule {}
      Module({ imports: [HealthModule.forRoot({ ...healthOptions, serve })], controllers: [WorkController], providers: [Counts] })(AppModule)

      const app = await NestFactory.create(AppModule, platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { logger: ['error', 'warn'] })
      app.enableShutdownHooks()
      countWork(app.getHttpServer())
      await app.listen(0, HOST)
      return app.getHttpServer().address().port
    }
  }
}

const start = adapters[ADAPTER]
if (start === undefined) throw new Error(`unknown ADAPTER ${ADAPTER}`)
print({ event: 'listening', port: await start() })
