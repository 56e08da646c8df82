// Test helpers for the fleet page: an HTTP server on listen(0) for a handler, and a reader of a
// Server-Sent Events stream that records every event and comment as it arrives.
import { createServer } from 'node:http'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitFor } from './helpers.js'

/** Serves `listener` on 127.0.0.1:0; returns its base URL and a function that closes it. */
export async function serve(listener: RequestListener): Promise<{ base: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface StreamEvent {
  event: string
  data: string
  /** Bytes of the event's text on the wire. */
  bytes: number
}

/** An open event stream, read as it arrives. */
export interface StreamReader {
  readonly status: number
  readonly headers: Headers
  readonly events: StreamEvent[]
  /** `: ping` comments seen. */
  readonly comments: number
  /** Whether the server ended the stream. */
  readonly ended: boolean
  /** Waits until `count` events named `name` arrived. */
  next(name: string, count?: number, timeout?: number): Promise<StreamEvent>
  /** Aborts the request (the client goes away). */
  abort(): void
}

/** Opens `url` as an event stream. */
export async function openStream(url: string): Promise<StreamReader> {
  const controller = new AbortController()
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } })
  const events: StreamEvent[] = []
  let comments = 0
  let ended = false
  const reader: StreamReader = {
    status: response.status,
    headers: response.headers,
    events,
    get comments() {
      return comments
    },
    get ended() {
      return ended
    },
    async next(name, count = 1, timeout = 5000) {
      const named = (): StreamEvent[] => events.filter((event) => event.event === name)
      await waitFor(() => named().length >= count, `${count} '${name}' event(s)`, timeout)
      return named()[count - 1] as StreamEvent
    },
    abort: () => controller.abort(),
  }
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith(':')) {
            comments += 1
            continue
          }
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length > 0) events.push({ event, data: data.join('\n'), bytes: Buffer.byteLength(block) + 2 })
        }
      }
    } catch {
      // aborted
    }
    ended = true
  })()
  return reader
}
