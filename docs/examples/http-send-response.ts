import { createServer } from 'node:http'
import { sendHealthResponse } from '@healthz/http'
import { health } from './health.js'

// Your own dispatch: handle() returns undefined for paths that are not probes.
const server = createServer(async (req, res) => {
  const response = await health.handle({ method: req.method, path: req.url ?? '/', headers: req.headers })
  if (response !== undefined) return sendHealthResponse(res, response)
  app(req, res)
})
server.listen(8080)
