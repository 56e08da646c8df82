// mqttCheck against the real Mosquitto on 127.0.0.1:1883, through the test's own TCP proxy,
// which also counts the connections the broker is offered. Listeners are counted on the client.
import mqtt from 'mqtt'
import type { MqttClient } from 'mqtt'
import { once } from 'node:events'
import { afterEach, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { mqttCheck } from '@healthz/checks/mqtt'
import { eventually, expectFailsWithin, SLACK, suffix, timed } from './support/helpers.js'
import { blackHole, TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function client(port: number, connected = true): Promise<MqttClient> {
  const created = mqtt.connect({ host: '127.0.0.1', port, clientId: `hz-test-${suffix()}`, reconnectPeriod: 50, connectTimeout: 300 })
  created.on('error', () => undefined)
  cleanup.push(() => void created.end(true))
  if (connected) await once(created as unknown as NodeJS.EventEmitter, 'connect')
  return created
}

function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((event) => [String(event), emitter.listenerCount(event)]))
}

/** MQTT PUBLISH packets (type 3) the stalled proxy holds back on their way to the broker. */
function heldPublishes(proxy: TcpProxy): number {
  let count = 0
  for (const pair of proxy.pairs) {
    const data = Buffer.concat(pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk))
    let at = 0
    while (at < data.length) {
      const type = (data[at] ?? 0) >> 4
      let length = 0
      let multiplier = 1
      let byte = 0
      let cursor = at + 1
      do {
        byte = data[cursor] ?? 0
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        cursor += 1
      } while (byte & 0x80)
      if (type === 3) count += 1
      at = cursor + length
    }
  }
  return count
}

describe('mqttCheck', () => {
  test('passes on the broker’s PUBACK; 20 runs over the one connection, no listener added', async () => {
    const proxy = await TcpProxy.start({ port: 1883 })
    cleanup.push(() => proxy.stop())
    const c = await client(proxy.port)
    const before = listenerCounts(c as unknown as NodeJS.EventEmitter)
    const check = mqttCheck({ client: c, topic: `healthz/test/${suffix()}` })
    expect(check).toMatchObject({ name: 'mqtt', kind: 'dependency', componentType: 'component' })
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
    }
    expect(listenerCounts(c as unknown as NodeJS.EventEmitter)).toEqual(before)
    expect(proxy.accepted).toBe(1)
  })

  test('broker stopped: fails within its deadline, at once while reconnecting; recovers when it is back', async () => {
    const proxy = await TcpProxy.start({ port: 1883 })
    cleanup.push(() => proxy.stop())
    const c = await client(proxy.port)
    const check = mqttCheck({ client: c, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    await expectFailsWithin(check, 400)
    await proxy.restart()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
  })

  test('unreachable (refused, or attempts hang): fails at once without queueing a message', async () => {
    const closed = await TcpProxy.start({ port: 1883 })
    await closed.stop()
    const hole = await blackHole()
    cleanup.push(() => hole.close())
    for (const port of [closed.port, hole.port]) {
      const c = await client(port, false)
      const result = await timed(mqttCheck({ client: c }))
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/mqtt not connected/)
      expect(result.elapsed).toBeLessThan(150) // at once: well inside the deadline
      expect(Object.keys((c as unknown as { outgoing: object }).outgoing)).toHaveLength(0)
    }
  })

  test('broker stalled: fails at the deadline, one message on the wire however many runs time out; recovers', async () => {
    const proxy = await TcpProxy.start({ port: 1883 })
    cleanup.push(() => proxy.stop())
    const c = await client(proxy.port)
    const before = listenerCounts(c as unknown as NodeJS.EventEmitter)
    const check = mqttCheck({ client: c, timeout: 300 })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/no PUBACK yet/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
    }
    expect(heldPublishes(proxy)).toBe(1)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(listenerCounts(c as unknown as NodeJS.EventEmitter)).toEqual(before)
  })

  test('refuses a wrong client or a wildcard topic at construction', () => {
    const fake = { connected: true, publish: () => undefined }
    for (const make of [() => mqttCheck({ client: {} } as never), () => mqttCheck({ client: fake, topic: 'a/#' }), () => mqttCheck({ client: fake, topic: '' })]) {
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
