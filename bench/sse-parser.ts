/**
 * SSE parsing throughput for dcos-log task events (~400 bytes each, 64 KiB chunks, one core).
 * Compares src/logs/sse.ts (bytes + MESSAGE fast path, and bytes + JSON.parse) with eventsource-parser 3
 * (strings + JSON.parse). Run: node --import tsx bench/sse-parser.ts
 */
import {createParser} from 'eventsource-parser'
import {SseParser, parseEventJson, taskEventMessage} from '../src/logs/sse.js'

const EVENTS = 300_000
const fields = {
  AGENT_ID: 'a1b2c3d4-0000-4000-8000-000000000001-S0',
  CONTAINER_ID: 'c0ffee00-1111-4222-8333-444455556666',
  EXECUTOR_ID: 'hello-world.1a2b3c4d-0000-11ee-9999-0242ac110002',
  FILE: 'stdout',
  FRAMEWORK_ID: '6a0f4d1c-1a2b-4c3d-8e9f-0123456789ab-0001',
}
let text = ''
let offset = 0
for (let i = 0; i < EVENTS; i++) {
  const message = `2026-11-22T02:38:35.123Z INFO request ${i} served GET /api/v1/items?page=${i % 97} in ${i % 1000} ms ok`
  text += `id: ${offset}\ndata: ${JSON.stringify({fields: {...fields, MESSAGE: message}})}\n\n`
  offset += Buffer.byteLength(message) + 1
}
const bytes = Buffer.from(text)
const chunks: Buffer[] = []
for (let i = 0; i < bytes.length; i += 65536) chunks.push(Buffer.from(bytes.subarray(i, i + 65536)))

function measure(name: string, run: () => number): void {
  run() // warm-up
  const started = process.hrtime.bigint()
  const count = run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (count !== EVENTS) throw new Error(`${name}: ${count} events`)
  console.log(`${name.padEnd(42)} ${(count / seconds / 1e6).toFixed(2)} M events/s  ${(bytes.length / seconds / 1e6).toFixed(0)} MB/s`)
}

console.log(`${EVENTS} events, ${(bytes.length / EVENTS).toFixed(0)} bytes each, ${chunks.length} chunks`)
measure('sse.ts + taskEventMessage (fast path)', () => {
  let count = 0
  let total = 0
  const parser = new SseParser({
    onEvent(id, buf, start, end) {
      total += taskEventMessage(buf, start, end).length + (id === undefined ? 0 : 1)
      count++
    },
    onComment() {},
  })
  for (const chunk of chunks) parser.push(chunk)
  return total > 0 ? count : 0
})
measure('sse.ts + JSON.parse', () => {
  let count = 0
  const parser = new SseParser({
    onEvent(_id, buf, start, end) {
      if ((parseEventJson(buf, start, end).fields as {MESSAGE: string}).MESSAGE) count++
    },
    onComment() {},
  })
  for (const chunk of chunks) parser.push(chunk)
  return count
})
measure('eventsource-parser + JSON.parse', () => {
  let count = 0
  const decoder = new TextDecoder()
  const parser = createParser({
    onEvent(event) {
      if ((JSON.parse(event.data) as {fields: {MESSAGE: string}}).fields.MESSAGE) count++
    },
  })
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, {stream: true}))
  return count
})
