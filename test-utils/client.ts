// A small real HTTP client for the adapter tests: status, headers and body of one request,
// over a given agent (keep-alive or not).
import { request } from 'node:http'
import type { Agent, IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
  /** The connection the reply came on: whether it closed after it is part of the drain contract. */
  socket: Socket
}

export interface CallOptions {
  method?: string
  headers?: Record<string, string>
  agent?: Agent | false
}

export function call(port: number, path: string, options: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket: req.socket as Socket }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** What an adapter must not change: the parts of a reply a client can see, minus the date. */
export function visible(reply: Reply): { status: number; type: string | undefined; body: string } {
  return { status: reply.status, type: reply.headers['content-type'], body: reply.body }
}
