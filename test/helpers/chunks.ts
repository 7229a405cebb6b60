/**
 * Cuts bytes into chunks at the given points (any number, any order, duplicates allowed; taken modulo the
 * length), so property tests can feed a parser the same bytes chunked anywhere: inside strings, escapes
 * and multi-byte UTF-8 sequences.
 */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  return [...points, bytes.length].map((point, index, all) => bytes.subarray(index === 0 ? 0 : all[index - 1], point))
}
