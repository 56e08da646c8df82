// The contract app on Hono (test-utils/contract.ts): authentication on every route, /orders,
// /orders/slow; `first` runs ahead of all of it. The Bun and Deno children build the same app
// in test/bridge/child.mjs (plain JavaScript, run as is by both runtimes).
import type { Hono as Hono4 } from 'hono'
import { auth, SLOW_MS } from '../../../test-utils/contract.js'

/** Hono's class, of either end of the peer range. */
export type HonoClass = new () => Hono4

export function contractApp(Hono: HonoClass, seenByAuth: string[], first?: (app: Hono4) => void): Hono4 {
  const app = new Hono()
  first?.(app)
  app.use(async (c, next) => {
    const url = new URL(c.req.url)
    seenByAuth.push(url.pathname + url.search)
    if (c.req.header('authorization') !== auth.authorization) return c.json({ error: 'unauthorized' }, 401)
    await next()
    return undefined
  })
  app.get('/orders', (c) => c.json({ orders: [1, 2] }))
  app.get('/orders/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS))
    return c.text('slow ok')
  })
  return app
}
