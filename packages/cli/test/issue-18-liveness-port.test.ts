// Issue 18: `healthz manifest --liveness-port` probes liveness on the liveness worker's port
// (startLivenessWorker of @healthz/http), readiness and startup on the application's; the
// result passes `healthz lint --fail-on info`, HTTP and gRPC alike.
import { describe, expect, it } from 'vitest'
import { countOption } from '@healthz/core'
import { renderManifest } from '../src/index.js'
import { cli } from './helpers.js'

describe('healthz manifest --liveness-port', () => {
  it('declares the worker port and points only the liveness probe at it', () => {
    const text = renderManifest({ livenessPort: 9001 })
    expect(text).toContain('            - name: liveness\n              containerPort: 9001')
    const liveness = text.slice(text.indexOf('livenessProbe:'), text.indexOf('readinessProbe:'))
    expect(liveness).toContain('httpGet:\n              path: /livez\n              port: liveness')
    expect(liveness).toContain('Answered by the liveness worker thread')
    const others = text.slice(text.indexOf('startupProbe:'), text.indexOf('livenessProbe:')) + text.slice(text.indexOf('readinessProbe:'))
    expect(others).not.toContain('port: liveness')
    expect(others).toContain('port: http')
    // Without the flag, nothing changes.
    expect(renderManifest()).not.toContain('liveness worker')
    // gRPC services too: the worker speaks HTTP, the other probes stay grpc.
    const grpc = renderManifest({ grpc: true, port: 50051, livenessPort: 9001, prefix: '/health' })
    expect(grpc.slice(grpc.indexOf('livenessProbe:'), grpc.indexOf('readinessProbe:'))).toContain('httpGet:\n              path: /health/livez\n              port: liveness')
    expect(grpc.slice(grpc.indexOf('readinessProbe:'))).toContain('grpc:\n              port: 50051')
  })

  for (const args of [['--liveness-port', '9001'], ['--grpc', '--port', '50051', '--liveness-port', '9001'], ['--liveness-port', '9001', '--pre-stop-seconds', '5', '--prefix', '/health']]) {
    it(`healthz manifest ${args.join(' ')} passes healthz lint --fail-on info`, async () => {
      const printed = await cli(['manifest', ...args])
      expect(printed).toMatchObject({ status: 0, stderr: '' })
      const linted = await cli(['lint', '-', '--fail-on', 'info'], printed.stdout)
      expect(linted).toEqual({ status: 0, stdout: 'healthz lint: no findings in 1 workload in 1 file.\n', stderr: '' })
    })
  }

  it('refuses a port out of range, or the application port, with what to change', async () => {
    const bad = await cli(['manifest', '--liveness-port', '70000'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toBe(`healthz manifest: ${(() => { try { countOption(70000, 0, '--liveness-port', { min: 1, max: 65535 }) } catch (error) { return (error as Error).message } return '' })()}\n`)
    const same = await cli(['manifest', '--port', '8080', '--liveness-port', '8080'])
    expect(same.status).toBe(2)
    expect(same.stderr).toBe('healthz manifest: --liveness-port must differ from --port (8080): the liveness worker listens on a port of its own.\n')
  })
})
