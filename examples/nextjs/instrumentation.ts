// Next calls register() once per server process, before it handles the first request. The
// health object, the boot and the shutdown wiring live in the Node.js runtime only: the Edge
// runtime has no signals, no server to drain and no `pg`.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { registerHealth } = await import('./lib/instrumentation-node')
    registerHealth()
  }
}
