// amqpCheck against the real RabbitMQ on 127.0.0.1:5672, with outages simulated by the test's own
// TCP proxy. Connections and channels are counted on the broker (rabbitmqctl, by a connection
// name unique to each test) and through the proxy.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import amqp from 'amqplib'
import { afterEach, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { amqpCheck } from '@healthz/checks/amqplib'
import { eventually, expectFailsWithin, SLACK, suffix, timed } from './support/helpers.js'
import { blackHole, TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function connection(port = 5672): Promise<{ model: amqp.ChannelModel; name: string }> {
  const name = `hz-test-${suffix()}`
  const model = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`, { clientProperties: { connection_name: name } })
  model.on('error', () => undefined)
  cleanup.push(() => model.close().catch(() => undefined))
  return { model, name }
}

/** Channels the broker counts on the connection named `name` (-1 when the broker has no such connection). */
async function brokerChannels(name: string): Promise<number> {
  const { stdout } = await promisify(execFile)('rabbitmqctl', ['-q', 'list_connections', 'client_properties', 'channels', '--formatter', 'json'])
  const rows = JSON.parse(stdout) as Array<{ client_properties: unknown; channels: number }>
  const mine = rows.filter((row) => JSON.stringify(row.client_properties).includes(name))
  return mine.length === 1 ? (mine[0]?.channels ?? -1) : -mine.length - 1
}

function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((event) => [String(event), emitter.listenerCount(event)]))
}

describe('amqpCheck', () => {
  test('over a connection: passes with one channel of its own for 20 runs, no listener added to the connection', async () => {
    const { model, name } = await connection()
    const before = listenerCounts(model)
    const check = amqpCheck({ client: model })
    expect(check).toMatchObject({ name: 'rabbitmq', kind: 'dependency', componentType: 'component' })
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
    }
    expect(listenerCounts(model)).toEqual(before)
    expect(await brokerChannels(name)).toBe(1)
  })

  test('over a channel: passes on that channel, opening none', async () => {
    const { model, name } = await connection()
    const channel = await model.createChannel()
    const before = listenerCounts(channel)
    const check = amqpCheck({ client: channel })
    for (let i = 0; i < 5; i += 1) expect((await timed(check)).status).toBe('pass')
    expect(listenerCounts(channel)).toEqual(before)
    expect(await brokerChannels(name)).toBe(1)
  })

  test('a missing exchange fails with the broker’s reason', async () => {
    const { model } = await connection()
    const result = await timed(amqpCheck({ client: model, exchange: `hz-missing-${suffix()}` }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/NOT_FOUND/)
  })

  test('broker stopped: fails within the deadline (at once: the connection is closed)', async () => {
    const proxy = await TcpProxy.start({ port: 5672 })
    cleanup.push(() => proxy.stop())
    const { model } = await connection(proxy.port)
    const check = amqpCheck({ client: model, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    await eventually(() => false, 100)
    await expectFailsWithin(check, 400)
  })

  test('unreachable (refused, or connection attempts hang) with a recovering connection: fails at the deadline, opening nothing more', async () => {
    // amqplib's recovering connection (`recovery`, amqplib 2) hands out the connection before
    // the broker answered and keeps trying; the check's channel waits for it within the deadline.
    const closed = await TcpProxy.start({ port: 5672 })
    await closed.stop()
    const hole = await blackHole()
    cleanup.push(() => hole.close())
    for (const port of [closed.port, hole.port]) {
      const model = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`, { timeout: 200, recovery: { waitForConnect: false, initialDelay: 50, maxDelay: 100 } })
      model.on('error', () => undefined)
      cleanup.push(() => model.close().catch(() => undefined))
      const check = amqpCheck({ client: model, timeout: 300 })
      await expectFailsWithin(check, 300)
    }
    // Nothing reached a broker: the refused port has no listener, the black hole accepts nothing.
    expect(closed.accepted).toBe(0)
  })

  test('a recovering connection passes once the broker is reachable, and again after the broker came back', async () => {
    const proxy = await TcpProxy.start({ port: 5672 })
    cleanup.push(() => proxy.stop())
    const model = await amqp.connect(`amqp://guest:guest@127.0.0.1:${proxy.port}`, { recovery: { initialDelay: 50, maxDelay: 100 } })
    model.on('error', () => undefined)
    cleanup.push(() => model.close().catch(() => undefined))
    const check = amqpCheck({ client: model, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    expect((await timed(check)).status).toBe('fail')
    await proxy.restart()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
  })

  test('broker stalled: fails at the deadline, one request on the wire however many runs time out; recovers', async () => {
    const proxy = await TcpProxy.start({ port: 5672 })
    cleanup.push(() => proxy.stop())
    const { model } = await connection(proxy.port)
    const check = amqpCheck({ client: model, timeout: 300 })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/no answer from the broker yet/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
    }
    // exchange.declare frames held back on their way to the broker: class 40, method 10.
    const held = Buffer.concat([...proxy.pairs].flatMap((pair) => pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk)))
    let declares = 0
    for (let at = 0; at + 7 <= held.length; at += 8 + held.readUInt32BE(at + 3)) {
      if (held[at] === 1 && held.readUInt16BE(at + 7) === 40 && held.readUInt16BE(at + 9) === 10) declares += 1
    }
    expect(declares).toBe(1)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
  })

  test('refuses a wrong client or exchange at construction', () => {
    for (const make of [() => amqpCheck({ client: {} } as never), () => amqpCheck(null as never), () => amqpCheck({ client: { checkExchange: async () => undefined }, exchange: '' })]) {
      let thrown: unknown
      try {
        make()
      } catch (error) {
        thrown = error
      }
      expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
    }
  })
})
