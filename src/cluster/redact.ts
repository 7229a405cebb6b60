/** Hides the token (and any `token=...` value) wherever a URL, body or message could carry it. */
export function redactor(token: string | undefined): (text: string) => string {
  return (text) => {
    let out = text.replace(/(token=)[^\s&;,"']+/gi, '$1<redacted>')
    if (token && token.length >= 4) out = out.split(token).join('<redacted>')
    return out
  }
}
