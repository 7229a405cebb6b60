/** Cluster URLs: every path segment and query value percent-encoded (task ids hold spaces and colons, journal cursors ';' and '='). */

export type QueryValue = string | number | boolean | undefined | Array<string | number>


/** Joins path segments, percent-encoding each one (task ids contain spaces, colons; cursors ';' and '='). */
export function encodePath(...segments: string[]): string {
  return '/' + segments.map((segment) => encodeURIComponent(segment)).join('/')
}

/**
 * baseUrl + path + query. Query values are encoded with encodeURIComponent (a space is %20, never '+',
 * and a journal cursor's ';' and '=' are escaped); arrays repeat the key; undefined is left out.
 */
export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const pairs: string[] = []
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`)
    }
  }
  const separator = path.includes('?') ? '&' : '?'
  return `${baseUrl}${path.startsWith('/') ? '' : '/'}${path}${pairs.length > 0 ? separator + pairs.join('&') : ''}`
}
