/** JSON the way Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 are escaped. */
const GO_ESCAPES = /[<>&\u2028\u2029]/g

function goEscapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}

export function goJson(value: unknown): string {
  const text = JSON.stringify(value)
  return GO_ESCAPES.test(text) ? text.replace(GO_ESCAPES, goEscapeChar) : text
}

/** A JSON string literal (with quotes) with Go's escaping. Fast path for plain ASCII text. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/
export function goJsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? goJson(text) : `"${text}"`
}

/** Object keys sorted, as Go marshals a map[string]string. */
export function sortedFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(fields).sort()) out[key] = fields[key]
  return out
}
