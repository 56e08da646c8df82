// An application route on the same pool the readiness check borrows from.
import { getPool } from '../../../lib/db'

export const dynamic = 'force-dynamic'

export async function GET(): Promise<Response> {
  const { rows } = await getPool().query('SELECT id, item, quantity, created_at FROM orders ORDER BY id DESC LIMIT 100')
  return Response.json({ orders: rows })
}
