import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after} from 'node:test'
import {Server as TlsServer} from 'node:tls'

/** Hand-made servers for one test file: each listens on 127.0.0.1 (random port) and is closed after the file's tests. */
export function testServers(): {listen(server: Server): Promise<string>} {
  const servers: Server[] = []
  after(async () => {
    for (const server of servers) server.closeAllConnections()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  })
  return {
    /** Starts the server; resolves to its URL (https:// for a TLS server). */
    async listen(server) {
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const scheme = server instanceof TlsServer ? 'https' : 'http'
      return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
  }
}
