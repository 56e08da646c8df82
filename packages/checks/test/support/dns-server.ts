// A minimal DNS server over UDP on 127.0.0.1 for the dnsCheck tests: answers A queries for the
// names it knows, NXDOMAIN for the rest, can stop answering (stalled) and counts the queries.
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'

export interface DnsServer {
  port: number
  queries: number
  stalled: boolean
  close(): Promise<void>
}

export async function startDnsServer(records: Record<string, string>): Promise<DnsServer> {
  const socket: Socket = createSocket('udp4')
  const server: DnsServer = {
    port: 0,
    queries: 0,
    stalled: false,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
  socket.on('message', (query, peer) => {
    server.queries += 1
    if (server.stalled) return
    // Question: labels from byte 12, then type and class.
    const labels: string[] = []
    let at = 12
    while (query[at] !== 0 && at < query.length) {
      const length = query[at] ?? 0
      labels.push(query.subarray(at + 1, at + 1 + length).toString('ascii'))
      at += 1 + length
    }
    const questionEnd = at + 5
    const name = labels.join('.').toLowerCase()
    const address = records[name]
    const header = Buffer.alloc(12)
    query.copy(header, 0, 0, 2) // id
    header.writeUInt16BE(address === undefined ? 0x8183 : 0x8180, 2) // response, recursion; NXDOMAIN when unknown
    header.writeUInt16BE(1, 4)
    header.writeUInt16BE(address === undefined ? 0 : 1, 6)
    const question = query.subarray(12, questionEnd)
    const answer =
      address === undefined
        ? Buffer.alloc(0)
        : Buffer.concat([Buffer.from([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0, 4]), Buffer.from(address.split('.').map(Number))])
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  server.port = socket.address().port
  return server
}
