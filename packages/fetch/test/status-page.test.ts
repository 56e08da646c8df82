// Issue 20: the status page's event stream over the Fetch API: a ReadableStream body that
// carries the events, ends at closing, and unsubscribes when the body is cancelled.
import { describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import { createFetchHandler } from '@healthz/fetch'

const url = (path: string): string => `http://127.0.0.1:8080${path}`

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<string> {
  const decoder = new TextDecoder()
  let seen = ''
  while (!seen.includes(text)) {
    const { value, done } = await reader.read()
    if (done) break
    seen += decoder.decode(value, { stream: true })
  }
  return seen
}

describe('issue-20: the status page over @healthz/fetch', () => {
  it('issue-20: serves the page, and the stream as a ReadableStream: snapshot, a change, then cancel unsubscribes', async () => {
    let fail = false
    const health = createHealth({
      readiness: [{ name: 'db', cache: 0, run: () => { if (fail) throw new Error('down') } }],
      statusPage: true,
      shutdown: { signals: false, exit: false },
      runtime: false,
    })
    health.markStarted()
    const handle = createFetchHandler(health)
    const page = await handle(new Request(url('/statusz')))
    expect(page?.status).toBe(200)
    expect(page?.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/)
    expect(await page?.text()).toContain('<table id="probes">')
    const events = await handle(new Request(url('/statusz/events')))
    expect(events?.status).toBe(200)
    expect(events?.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const reader = (events?.body as ReadableStream<Uint8Array>).getReader()
    expect(await readUntil(reader, '\n\n')).toMatch(/event: snapshot\ndata: /)
    expect(health.statusPage?.subscribers).toBe(1)
    fail = true
    expect((await handle(new Request(url('/readyz'))))?.status).toBe(503)
    expect(await readUntil(reader, '\n\n')).toMatch(/event: change\ndata: .*"state":"fail"/)
    await reader.cancel()
    expect(health.statusPage?.subscribers).toBe(0)
    health.close()
  })

  it('issue-20: the stream ends (the body closes) when the shutdown reaches closing', async () => {
    const health = createHealth({ statusPage: true, shutdown: { signals: false, exit: false }, runtime: false })
    const handle = createFetchHandler(health)
    const response = await handle(new Request(url('/statusz/events')))
    const body = response?.text()
    await health.shutdown()
    const text = await body
    expect(text).toMatch(/^retry: 2000\nevent: snapshot\n/)
    expect(text?.endsWith('event: end\ndata: {"phase":"closing"}\n\n')).toBe(true)
    expect(health.statusPage?.subscribers).toBe(0)
    expect((await handle(new Request(url('/statusz/events'))))?.status).toBe(503)
  })
})
