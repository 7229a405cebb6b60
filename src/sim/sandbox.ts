/**
 * Sandbox files on the simulated agents, addressed by their absolute agent path
 * (`/var/lib/mesos/slave/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<cid>[/tasks/<task>]/<file>`).
 * Files grow in place (one growable buffer each, so reads are zero-copy slices) and `stdout`/`stderr`
 * rotate to `.1` … `.9` the way the DC/OS logrotate container logger does.
 */

export const MESOS_READ_CAP = 65_536

export class SandboxFile {
  private buffer: Buffer
  private length = 0
  mtimeSec: number
  private readonly listeners = new Set<() => void>()

  constructor(content: Buffer | string = Buffer.alloc(0), mtimeSec = Math.floor(Date.now() / 1000)) {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    this.buffer = Buffer.allocUnsafe(Math.max(4096, bytes.length))
    bytes.copy(this.buffer)
    this.length = bytes.length
    this.mtimeSec = mtimeSec
  }

  get size(): number {
    return this.length
  }

  /** The bytes [start, end) clamped to the file; a view, not a copy. */
  slice(start: number, end: number): Buffer {
    return this.buffer.subarray(Math.min(start, this.length), Math.min(end, this.length))
  }

  append(bytes: Buffer): void {
    if (this.length + bytes.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes.length))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
    bytes.copy(this.buffer, this.length)
    this.length += bytes.length
    this.mtimeSec = Math.floor(Date.now() / 1000)
    for (const listener of this.listeners) listener()
  }

  /** Replaces the content (a fresh file after rotation or writeFile); followers are told. */
  replace(content: Buffer): void {
    this.buffer = Buffer.allocUnsafe(Math.max(4096, content.length))
    content.copy(this.buffer)
    this.length = content.length
    this.mtimeSec = Math.floor(Date.now() / 1000)
    for (const listener of this.listeners) listener()
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

export interface BrowseEntry {
  gid: string
  mode: string
  mtime: number
  nlink: number
  path: string
  size: number
  uid: string
}

/** Creates, on first use, what should exist at or under a path (normalised): the cluster model's sandboxes. */
export type SandboxProvider = (path: string) => void

export class Sandboxes {
  private readonly files = new Map<string, SandboxFile>()
  private readonly dirs = new Set<string>()
  /** Asked before every access, so content made lazily is there whenever anything looks. */
  provider?: SandboxProvider

  constructor(private readonly rotateBytes: number) {}

  get(path: string): SandboxFile | undefined {
    return this.files.get(this.provided(path))
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(this.provided(path))
  }

  /** Creates or replaces a file, creating its parent directories. */
  write(path: string, content: Buffer | string, mtimeSec?: number): SandboxFile {
    const key = this.provided(path)
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    const existing = this.files.get(key)
    if (existing) {
      existing.replace(bytes)
      return existing
    }
    const file = new SandboxFile(bytes, mtimeSec)
    this.files.set(key, file)
    for (let dir = parent(key); dir.length > 1 && !this.dirs.has(dir); dir = parent(dir)) this.dirs.add(dir)
    return file
  }

  mkdir(path: string): void {
    for (let dir = this.provided(path); dir.length > 1 && !this.dirs.has(dir); dir = parent(dir)) this.dirs.add(dir)
  }

  /** Appends bytes; a rotating log (stdout/stderr) that passes rotateBytes moves to `.1` first. */
  append(path: string, bytes: Buffer): void {
    const key = this.provided(path)
    const file = this.files.get(key) ?? this.write(key, Buffer.alloc(0))
    const name = key.slice(key.lastIndexOf('/') + 1)
    if ((name === 'stdout' || name === 'stderr') && file.size > 0 && file.size + bytes.length > this.rotateBytes) {
      this.rotate(key)
    }
    file.append(bytes)
  }

  private rotate(key: string): void {
    for (let n = 8; n >= 1; n--) {
      const older = this.files.get(`${key}.${n}`)
      if (older) this.write(`${key}.${n + 1}`, Buffer.from(older.slice(0, older.size)), older.mtimeSec)
    }
    const current = this.files.get(key)
    if (current === undefined) return
    this.write(`${key}.1`, Buffer.from(current.slice(0, current.size)), current.mtimeSec)
    current.replace(Buffer.alloc(0))
  }

  /** A Mesos `/files/browse` listing of a directory, sorted by path. */
  browse(dirPath: string): BrowseEntry[] {
    const dir = this.provided(dirPath)
    const prefix = dir === '/' ? '/' : `${dir}/`
    const out: BrowseEntry[] = []
    for (const sub of this.dirs) {
      if (sub.startsWith(prefix) && !sub.slice(prefix.length).includes('/')) {
        out.push({gid: 'root', mode: 'drwxr-xr-x', mtime: 1_705_312_800, nlink: 2, path: sub, size: 4096, uid: 'root'})
      }
    }
    for (const [path, file] of this.files) {
      if (path.startsWith(prefix) && !path.slice(prefix.length).includes('/')) {
        out.push({gid: 'root', mode: '-rw-r--r--', mtime: file.mtimeSec, nlink: 1, path, size: file.size, uid: 'root'})
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  private provided(path: string): string {
    const key = normalize(path)
    this.provider?.(key)
    return key
  }
}

function normalize(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return `/${parts.join('/')}`
}

function parent(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}
