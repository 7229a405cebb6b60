import type {IncomingHttpHeaders} from 'node:http'
import type {Json} from './cluster-model.js'
import {subscribe} from './operator-events.js'
import * as v1 from './protobuf-json.js'
import {sendComplete, type Exchange} from './respond.js'
import type {World} from './world.js'

/**
 * The Mesos v1 operator API (`POST /api/v1` on the master), as far as log clients use it: GET_AGENTS and
 * SUBSCRIBE. The Go CLI sends GET_AGENTS as protobuf and asks for protobuf back (`application/x-protobuf`
 * both ways, dcos-core-cli pkg/mesos/client.go `Agents`); other clients use JSON. Both are served,
 * negotiated the way the master does: JSON when the Accept header allows it, else protobuf. The event
 * stream (operator-events.ts) is served in JSON only.
 */

const JSON_TYPE = 'application/json'
const PROTOBUF_TYPE = 'application/x-protobuf'
/** mesos.v1.master.Call.Type numbers the sim answers. */
const CALL_TYPES: Record<number, string> = {10: 'GET_AGENTS'}
/** mesos.v1.master.Response.Type.GET_AGENTS. */
const RESPONSE_GET_AGENTS = 9

function plainError(ex: Exchange, status: number, message: string): void {
  sendComplete(ex, status, {'Content-Type': 'text/plain; charset=utf-8'}, message)
}

function contentTypeOf(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0].trim()
}

/** The call's `type`; throws when the body is not a Call. */
function callType(contentType: string, body: Buffer): string | undefined {
  return contentType === JSON_TYPE ? (JSON.parse(body.toString()) as {type?: string}).type : CALL_TYPES[protobufCallType(body) ?? -1]
}

/** The call a request body makes (`SUBSCRIBE`, `GET_AGENTS`), if it is one: for routing, fault matching and the request log. */
export function operatorCallType(headers: IncomingHttpHeaders, body: Buffer): string | undefined {
  try {
    return callType(contentTypeOf(headers), body)
  } catch {
    return undefined
  }
}

export async function operatorApi(world: World, ex: Exchange, body: Buffer): Promise<void> {
  const contentType = contentTypeOf(ex.req.headers)
  if (contentType === '') return plainError(ex, 400, "Expecting 'Content-Type' to be present")
  if (contentType !== JSON_TYPE && contentType !== PROTOBUF_TYPE) {
    return plainError(ex, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`)
  }
  const accept = ex.req.headers.accept ?? '*/*'
  const answerJson = /application\/json|\*\/\*|application\/\*/.test(accept)
  if (!answerJson && !accept.includes(PROTOBUF_TYPE)) return plainError(ex, 406, `Expecting 'Accept' to allow ${JSON_TYPE} or ${PROTOBUF_TYPE}`)
  let type: string | undefined
  try {
    type = callType(contentType, body)
  } catch (error) {
    return plainError(ex, 400, `Failed to parse body into Call: ${(error as Error).message}`)
  }
  if (type === 'SUBSCRIBE' && contentType === JSON_TYPE) {
    // Mesos 1.0's Call has no SUBSCRIBE: its JSON does not convert (stout's enum parse error).
    if (!world.version.operatorSubscribe) return plainError(ex, 400, "Failed to convert JSON into Call protobuf: Failed to find enum for 'SUBSCRIBE'")
    if (!answerJson) return plainError(ex, 501, 'sim: the SUBSCRIBE event stream is simulated in JSON only')
    return subscribe(world, ex)
  }
  if (type !== 'GET_AGENTS') return plainError(ex, 501, `sim: only GET_AGENTS and SUBSCRIBE (JSON) are simulated on /api/v1 (got ${type ?? 'an unknown call'})`)
  const slaves: Json[] = world.cluster.state.slaves ?? []
  if (answerJson) {
    const json = {type: 'GET_AGENTS', get_agents: {agents: slaves.map((slave) => v1.agent(slave, world.cluster.state.version))}}
    return sendComplete(ex, 200, {'Content-Type': JSON_TYPE}, JSON.stringify(json))
  }
  const agents = slaves.map((slave) => agentView(slave, world.cluster.state.version))
  const response = Buffer.concat([pbVarint(1, RESPONSE_GET_AGENTS), pbMessage(10, ...agents.map((a: AgentView) => pbMessage(1, agentProtobuf(a))))])
  sendComplete(ex, 200, {'Content-Type': PROTOBUF_TYPE}, response)
}

interface AgentView {
  id: string
  hostname: string
  port: number
  attributes: Array<[string, string | number]>
  active: boolean
  version: string
  pid?: string
}

function agentView(slave: Json, masterVersion: string): AgentView {
  return {
    id: slave.id,
    hostname: slave.hostname,
    port: slave.port ?? 5051,
    attributes: Object.entries(slave.attributes ?? {}) as Array<[string, string | number]>,
    active: slave.active !== false,
    version: slave.version ?? masterVersion,
    pid: slave.pid,
  }
}

/** Response.GetAgents.Agent: agent_info (AgentInfo: hostname 1, attributes 5, id 6, port 8), active 2, version 3, pid 4. */
function agentProtobuf(a: AgentView): Buffer {
  const attributes = a.attributes.map(([name, value]) =>
    typeof value === 'number'
      ? pbMessage(5, pbBytes(1, name), pbVarint(2, 0), pbMessage(3, pbDouble(1, value)))
      : pbMessage(5, pbBytes(1, name), pbVarint(2, 3), pbMessage(5, pbBytes(1, value))),
  )
  const info = Buffer.concat([pbBytes(1, a.hostname), ...attributes, pbMessage(6, pbBytes(1, a.id)), pbVarint(8, a.port)])
  return Buffer.concat([pbMessage(1, info), pbVarint(2, a.active ? 1 : 0), pbBytes(3, a.version), ...(a.pid === undefined ? [] : [pbBytes(4, a.pid)])])
}

// Protocol buffers wire format, the few pieces needed here.

function varint(value: number): Buffer {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Buffer.from(out)
}

function pbVarint(field: number, value: number): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)])
}

function pbBytes(field: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes])
}

function pbMessage(field: number, ...parts: Buffer[]): Buffer {
  return pbBytes(field, Buffer.concat(parts))
}

function pbDouble(field: number, value: number): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleLE(value)
  return Buffer.concat([varint(field * 8 + 1), bytes])
}

/** The `type` (field 1) of a serialised master.Call; throws on a malformed message. */
function protobufCallType(body: Buffer): number | undefined {
  let at = 0
  const readVarint = (): number => {
    let value = 0
    for (let shift = 1; ; shift *= 0x80) {
      if (at >= body.length) throw new Error('truncated message')
      const byte = body[at++]
      value += (byte & 0x7f) * shift
      if (byte < 0x80) return value
    }
  }
  let type: number | undefined
  while (at < body.length) {
    const key = readVarint()
    const wire = key & 7
    if (wire === 0) {
      const value = readVarint()
      if (key >>> 3 === 1) type = value
    } else if (wire === 2) at += readVarint()
    else if (wire === 1) at += 8
    else if (wire === 5) at += 4
    else throw new Error(`unsupported wire type ${wire}`)
    if (at > body.length) throw new Error('truncated message')
  }
  return type
}
