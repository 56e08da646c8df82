// Testing what your code does when a worker dies, on fake time and the in-memory transport.
import { expect, it, vi } from 'vitest'
import { createHeartbeatMonitor, createMemoryTransport, startHeartbeat } from '@healthz/heartbeat'

it('hands the work of a dead worker to the others', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  const transport = createMemoryTransport()
  const monitor = createHeartbeatMonitor({ transport, runtime: false, deadAfter: 5000 })
  const dead: string[] = []
  monitor.on('change', (event) => {
    if (event.current === 'dead') dead.push(event.nodeId)
  })
  const worker = startHeartbeat({ nodeId: 'worker-1', transport })
  await vi.advanceTimersByTimeAsync(30_000)
  await worker.stop({ leave: false }) // a crash: no leaving beat
  await vi.advanceTimersByTimeAsync(4_500 + 5_000 + 200) // suspicion (~4.5 s), then deadAfter
  expect(dead).toEqual(['worker-1'])
  await monitor.close()
  vi.useRealTimers()
})
