// A service with a status page on the built packages (dist), run as a child process by
// browser.test.ts: the page's script holds the renderer's source as the bundler emitted it, so
// this is the page users get. POST /fail makes the `postgres` check fail from then on.
// stdout: one JSON line, {"port"}.
const packages = new URL('../../packages/', import.meta.url)
const { createHealth } = await import(new URL('core/dist/index.js', packages).href)
const { listen } = await import(new URL('http/dist/index.js', packages).href)

let fail = false
const health = createHealth({
  service: { name: 'built' },
  readiness: [{ name: 'postgres', cache: 0, run: () => { if (fail) throw new Error('down') } }],
  shutdown: { signals: ['SIGTERM'], exit: true, gracePeriod: 2000 },
  runtime: false,
  statusPage: true,
})
health.markStarted()
const server = await listen(
  (req, res) => {
    if (req.method === 'POST' && req.url === '/fail') {
      fail = true
      res.end('ok\n')
    } else res.writeHead(404).end()
  },
  health,
  { port: 0, host: '127.0.0.1' },
)
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
