import {oneLine} from '../errors.js'

/** The server's own words from an error body: a JSON description, an HTML title, or the text, on one line. */
export function serverMessage(body: string, contentType = ''): string {
  const text = body.trim()
  if (!text) return ''
  if (contentType.includes('json') || text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>
      for (const key of ['description', 'message', 'error', 'title']) {
        if (typeof parsed?.[key] === 'string' && parsed[key]) return oneLine(parsed[key] as string)
      }
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  if (contentType.includes('html') || /^<(!doctype|html)/i.test(text)) {
    const heading = /<(title|h1)[^>]*>([^<]*)</i.exec(text)?.[2]
    return oneLine(heading ?? text.replace(/<[^>]*>/g, ' '))
  }
  return oneLine(text)
}
