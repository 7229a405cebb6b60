/**
 * Questions on stderr, answers from stdin: a line as typed (the terminal echoes it), or a secret read in
 * raw mode so nothing is echoed. When stdin is not a terminal no question is shown and each answer is
 * the next line of it, so `printf 'bob\nsecret\n' | dcos-ts auth login` works and a password never has
 * to be an argument.
 */
import {CliError} from '../errors.js'
import type {IO} from '../output/io.js'

export interface Prompter {
  /** The answer without its line ending; undefined when stdin ended before any answer (or there is no stdin). */
  ask(question: string, options?: {secret?: boolean}): Promise<string | undefined>
}

interface RawCapable {
  isTTY?: boolean
  isRaw?: boolean
  setRawMode?(mode: boolean): unknown
}

const CTRL_C = '\u0003'
const CTRL_D = '\u0004'
const BACKSPACES = new Set(['\u007f', '\b'])

export function createPrompter(io: IO): Prompter {
  const input = io.stdin
  /** What stdin delivered beyond the last answer (a pipe may bring several lines in one chunk). */
  let pending = ''
  let ended = false
  let encodingSet = false

  /** Called when stdin ends while an answer is awaited. */
  let onEnded: (() => void) | undefined

  /** Feeds stdin to `take` until it returns an answer (undefined: wants more); at the end, `atEnd`. */
  const readUntil = (stream: NodeJS.ReadableStream, take: (text: string) => string | undefined, atEnd: () => string | undefined) =>
    new Promise<string | undefined>((resolve, reject) => {
      const done = (settle: () => void) => {
        stream.off('data', onData)
        stream.off('error', onError)
        onEnded = undefined
        stream.pause()
        settle()
      }
      const onData = (chunk: string | Buffer) => {
        try {
          const answer = take(String(chunk))
          if (answer !== undefined) done(() => resolve(answer))
        } catch (error) {
          done(() => reject(error))
        }
      }
      const onError = (error: Error) => done(() => reject(error))
      if (ended) return resolve(atEnd())
      onEnded = () => done(() => resolve(atEnd()))
      stream.on('data', onData)
      stream.once('error', onError)
      stream.resume()
    })

  const nextLine = (stream: NodeJS.ReadableStream): Promise<string | undefined> => {
    const takeLine = (): string | undefined => {
      const newline = pending.indexOf('\n')
      if (newline < 0) return undefined
      const line = pending.slice(0, newline).replace(/\r$/, '')
      pending = pending.slice(newline + 1)
      return line
    }
    const atEnd = () => {
      const rest = pending
      pending = ''
      return rest === '' ? undefined : rest.replace(/\r$/, '')
    }
    const ready = takeLine()
    if (ready !== undefined) return Promise.resolve(ready)
    if (ended) return Promise.resolve(atEnd())
    return readUntil(
      stream,
      (text) => {
        pending += text
        return takeLine()
      },
      atEnd,
    )
  }

  /** Raw mode: keys arrive one by one, nothing is echoed; Enter ends, Backspace erases, Ctrl-C stops. */
  const secretLine = async (stream: NodeJS.ReadableStream & RawCapable): Promise<string | undefined> => {
    let typed: string[] = []
    const wasRaw = stream.isRaw === true
    stream.setRawMode?.(true)
    try {
      return await readUntil(
        stream,
        (text) => {
          for (const key of text) {
            if (key === '\r' || key === '\n') return typed.join('')
            if (key === CTRL_C) throw new CliError('interrupted', 'interrupted', {exitCode: 130})
            if (key === CTRL_D) return typed.length === 0 ? '' : typed.join('')
            if (BACKSPACES.has(key)) typed = typed.slice(0, -1)
            else if (key >= ' ') typed.push(key)
          }
          return undefined
        },
        () => (typed.length === 0 ? undefined : typed.join('')),
      )
    } finally {
      stream.setRawMode?.(wasRaw)
      io.stderr.write('\n')
    }
  }

  return {
    async ask(question, options = {}) {
      if (!input) return undefined
      if (!encodingSet) {
        input.setEncoding('utf8')
        // Listened to for good: the end may come just after an answer, while nobody reads.
        input.once('end', () => {
          ended = true
          onEnded?.()
        })
        encodingSet = true
      }
      // Piped answers come without questions: a script's stderr stays clean.
      if (!io.isStdinTTY) return nextLine(input)
      io.stderr.write(question)
      const stream = input as NodeJS.ReadableStream & RawCapable
      if (options.secret && typeof stream.setRawMode === 'function') return secretLine(stream)
      return nextLine(input)
    },
  }
}
