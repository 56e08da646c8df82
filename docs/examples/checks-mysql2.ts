import mysql from 'mysql2/promise'
import { createHealth } from '@healthz/core'
import { mysqlCheck } from '@healthz/checks/mysql2'

// A promise pool, a callback pool (`mysql2`), or a single connection of either API.
const pool = mysql.createPool({ uri: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/app' })

export const health = createHealth({
  readiness: [mysqlCheck({ client: pool, name: 'orders-db' })],
})
