/**
 * Hides the token wherever a URL, body or message could carry it (and a URL's password): any `token=...` value, the token
 * itself, each part of a JWT on its own, and any run of text that is a piece of the token at least
 * FRAGMENT characters long (a server that echoes a token cut short, or a message cut in the middle of one).
 * Callers redact before they shorten a text, so that no cut can leave a piece too short to be recognised.
 */

/** The shortest piece of a token that is hidden: shorter runs are too likely to be ordinary text. */
const FRAGMENT = 12

export function redactor(token: string | undefined): (text: string) => string {
  const pieces = token !== undefined && token.length >= FRAGMENT ? tokenPieces(token) : undefined
  return (text) => {
    const out = hideUrlPasswords(text.replace(/(token=)[^\s&;,"']+/gi, '$1<redacted>'))
    return pieces === undefined ? out : hidePieces(out, token as string, pieces)
  }
}

/** A URL's password (`https://user:pw@host`) hidden, in a URL or any text holding one; the user is kept. */
export function hideUrlPasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]*@/gi, '$1<redacted>@')
}

/** Every FRAGMENT-character piece of the token: where a match may start. */
function tokenPieces(token: string): Set<string> {
  const pieces = new Set<string>()
  for (let at = 0; at + FRAGMENT <= token.length; at++) pieces.add(token.slice(at, at + FRAGMENT))
  return pieces
}

/** `text` with each longest run that is a piece of `token` (FRAGMENT characters or more) replaced. */
function hidePieces(text: string, token: string, pieces: Set<string>): string {
  let out = ''
  let copied = 0
  for (let at = 0; at + FRAGMENT <= text.length; ) {
    if (!pieces.has(text.slice(at, at + FRAGMENT))) {
      at++
      continue
    }
    let end = at + FRAGMENT
    while (end < text.length && token.includes(text.slice(at, end + 1))) end++
    out += `${text.slice(copied, at)}<redacted>`
    copied = at = end
  }
  return out + text.slice(copied)
}
