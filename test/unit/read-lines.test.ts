/**
 * Property test of the newline-delimited body reader (src/logs/sources/read.ts): however the bytes are
 * cut into chunks, the same lines come out, and a line is offered as bytes only when it is valid UTF-8.
 */
import assert from 'node:assert/strict'
import {isUtf8} from 'node:buffer'
import {Readable} from 'node:stream'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {readLines} from '../../src/logs/sources/read.js'
import {splitAt} from '../helpers/chunks.js'

describe('readLines', () => {
  test('the lines of any bytes cut anywhere, empty ones dropped, as a whole body has them', async () => {
    const text = fc.oneof(fc.string({unit: 'binary', maxLength: 40}).map((s) => Buffer.from(s)), fc.uint8Array({maxLength: 40}).map((a) => Buffer.from(a)))
    await fc.assert(
      fc.asyncProperty(fc.array(text, {maxLength: 6}), fc.array(fc.nat(), {maxLength: 8}), fc.boolean(), async (parts, cuts, lastUnterminated) => {
        const terminated = Buffer.concat(parts.flatMap((part) => [part, Buffer.from('\n')]))
        // A last line without newline is still a line.
        const body = lastUnterminated ? terminated.subarray(0, -1) : terminated
        const expected = body.toString('latin1').split('\n').filter((line) => line.length > 0).map((line) => Buffer.from(line, 'latin1'))
        const seen: Array<{claimedUtf8: boolean; line: Buffer}> = []
        const decode = (buf: Buffer, start: number, end: number, utf8: boolean) => {
          if (start === end) return undefined
          const line = Buffer.from(buf.subarray(start, end))
          seen.push({claimedUtf8: utf8, line})
          return {stream: {id: 's', kind: 'task' as const, label: 's'}, message: line.toString('utf8')}
        }
        let count = 0
        for await (const batch of readLines(Readable.from(splitAt(body, cuts)), decode)) count += batch.length
        assert.equal(count, expected.length)
        assert.deepEqual(seen.map((s) => s.line), expected)
        for (const {line, claimedUtf8} of seen) if (claimedUtf8) assert.ok(isUtf8(line), 'offered as bytes only when valid UTF-8')
      }),
      {numRuns: 300},
    )
  })
})
