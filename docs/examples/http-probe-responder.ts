import { createServer } from 'node:http'
import { createProbeResponder } from '@healthz/http'
import { health } from './health.js'

// Your own dispatch: respond() answers a probe path and returns true, or writes nothing and
// returns false. Inside the server's `request` event, so the drain sees its responses too.
const respond = createProbeResponder(health)
const server = createServer((req, res) => {
  if (!respond(req, res)) app(req, res)
})
server.listen(8080)
