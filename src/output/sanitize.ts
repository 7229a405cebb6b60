/**
 * Terminal safety. A log line is written by whoever runs the task: on a terminal its escape sequences
 * could clear the screen, move the cursor over earlier lines, retitle the window or hide text. So control
 * characters are shown as visible escapes (ESC becomes the four characters `\x1b`, and the rest of the
 * sequence then prints as plain text). TAB and LF are kept: tabs are layout, and journald messages may be
 * multi-line (a stack trace); neither can move the cursor back over earlier output.
 */
import type {ChalkInstance} from 'chalk'

/**
 * C0 controls except TAB and LF, DEL, C1 controls (U+0080-U+009F: 8-bit CSI/OSC on some terminals), the
 * bidirectional overrides and isolates that reorder what is shown (U+202A-U+202E, U+2066-U+2069), the
 * marks that steer it unseen (U+200E, U+200F, U+061C), characters that show nothing (U+200B, U+FEFF), and
 * the Unicode line and paragraph separators (U+2028, U+2029), which some terminals take as line ends.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g')

function visible(char: string): string {
  const code = char.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** True when the text holds anything terminalSafe would change: one regex test, the per-line fast path. */
export function hasUnsafeChars(text: string): boolean {
  return UNSAFE.test(text)
}

/**
 * Makes text harmless on a terminal. With a colouring chalk the escapes are dimmed so they read as
 * markers rather than as part of the message.
 */
export function terminalSafe(text: string, chalk?: ChalkInstance): string {
  if (!UNSAFE.test(text)) return text
  const mark = chalk !== undefined && chalk.level > 0 ? (c: string) => chalk.dim(visible(c)) : visible
  return text.replace(UNSAFE_ALL, mark)
}

/**
 * JSON.stringify escapes C0 controls and lone surrogates but not C1 controls, bidi overrides or the
 * invisible characters above; escaping those too keeps `--output json` safe to look at on a terminal (`| jq` or not) without changing what a
 * JSON parser reads back.
 */
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/
const JSON_UNSAFE_ALL = new RegExp(JSON_UNSAFE.source, 'g')

function jsonEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/** JSON text with every character that could steer a terminal written as a \u escape. */
export function jsonTerminalSafe(json: string): string {
  return JSON_UNSAFE.test(json) ? json.replace(JSON_UNSAFE_ALL, jsonEscape) : json
}
