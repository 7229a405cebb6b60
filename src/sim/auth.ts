import {generateKeyPairSync, sign, type KeyObject} from 'node:crypto'

/**
 * Admin Router authentication (Enterprise flavour: `WWW-Authenticate: acsjwt`, per-route permissions)
 * and the IAM login endpoint. Tokens are RS256 JWTs signed by a key made on first use; the server
 * only accepts tokens it issued and that have not expired.
 */

export interface TokenGrant {
  uid: string
  permissions: Set<string>
  exp?: number
}

interface Principal {
  password?: string
  publicKeyPem?: string
  permissions: string[]
}

export const SUPERUSER = 'dcos:superuser'
export const DEFAULT_USER = {uid: 'bootstrapuser', password: 'deleteme'}

/** The permission Admin Router checks per path prefix (longest first). */
const PERMISSIONS: Array<[RegExp, string]> = [
  [/^\/system\/v1\/logs\//, 'dcos:adminrouter:ops:system-logs'],
  [/^\/system\/v1\/agent\//, 'dcos:adminrouter:system:agent'],
  [/^\/system\/v1\/leader\/mesos\//, 'dcos:adminrouter:system:leader:mesos'],
  [/^\/system\/health\//, 'dcos:adminrouter:ops:system-health'],
  [/^\/mesos\//, 'dcos:adminrouter:ops:mesos'],
  [/^\/(agent|slave)\//, 'dcos:adminrouter:ops:slave'],
  [/^\/service\/marathon\//, 'dcos:adminrouter:service:marathon'],
  [/^\/net\//, 'dcos:adminrouter:ops:networking'],
  [/^\/pkgpanda\//, 'dcos:adminrouter:ops:pkgpanda'],
  [/^\/mesos_dns\//, 'dcos:adminrouter:ops:mesos-dns'],
  [/^\/capabilities$/, 'dcos:adminrouter:package'],
]

export function requiredPermission(path: string): string | undefined {
  return PERMISSIONS.find(([pattern]) => pattern.test(path))?.[1]
}

export const UNAUTHORIZED_HTML =
  '<html>\n<head>\n<title>Unauthorized</title>\n<script>window.location = "/login?redirect=" + encodeURIComponent(window.location.pathname);</script>\n</head>\n<body>401 Unauthorized</body>\n</html>\n'
export const FORBIDDEN_HTML = '<html>\n<head><title>Forbidden</title></head>\n<body>403 Forbidden: you are not allowed to access this resource.</body>\n</html>\n'

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

export class AuthService {
  private readonly grants = new Map<string, TokenGrant>()
  private readonly principals = new Map<string, Principal>([[DEFAULT_USER.uid, {password: DEFAULT_USER.password, permissions: [SUPERUSER]}]])
  private signingKey?: KeyObject

  issueToken(uid: string, options: {permissions?: string[]; expiresInSec?: number} = {}): string {
    this.signingKey ??= generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey
    const now = Math.floor(Date.now() / 1000)
    const exp = now + (options.expiresInSec ?? 5 * 24 * 3600)
    const signingInput = `${base64url(JSON.stringify({alg: 'RS256', typ: 'JWT'}))}.${base64url(JSON.stringify({uid, iat: now, exp}))}`
    const token = `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), this.signingKey))}`
    this.grants.set(token, {uid, permissions: new Set(options.permissions ?? [SUPERUSER]), exp})
    return token
  }

  addUser(uid: string, password: string, permissions: string[] = [SUPERUSER]): void {
    this.principals.set(uid, {password, permissions})
  }

  addServiceAccount(uid: string, publicKeyPem: string, permissions: string[] = [SUPERUSER]): void {
    this.principals.set(uid, {publicKeyPem, permissions})
  }

  /** The grant behind an Authorization header, or undefined when missing, unknown or expired. */
  grantFor(header: string | undefined, bearerAccepted: boolean): TokenGrant | undefined {
    if (header === undefined) return undefined
    const token = header.startsWith('token=') ? header.slice(6) : bearerAccepted && header.startsWith('Bearer ') ? header.slice(7) : undefined
    const grant = token === undefined ? undefined : this.grants.get(token.trim())
    if (grant?.exp !== undefined && grant.exp * 1000 <= Date.now()) return undefined
    return grant
  }

  /** POST /acs/api/v1/auth/login: `{uid, password}` or `{uid, token}` (an RS256 service login JWT). */
  async login(body: unknown): Promise<{status: number; body: Record<string, string>}> {
    const bad = (status: number, title: string, description: string, code: string) => ({status, body: {title, description, code}})
    if (typeof body !== 'object' || body === null) return bad(400, 'Bad Request', 'Request has bad JSON', 'ERR_MALFORMED_JSON')
    const {uid, password, token} = body as Record<string, unknown>
    if (typeof uid !== 'string') return bad(400, 'Bad Request', 'Missing uid', 'ERR_INVALID_DATA')
    const principal = this.principals.get(uid)
    if (principal !== undefined && typeof password === 'string' && principal.password === password) {
      return {status: 200, body: {token: this.issueToken(uid, {permissions: principal.permissions})}}
    }
    if (principal?.publicKeyPem !== undefined && typeof token === 'string') {
      try {
        const {importSPKI, jwtVerify} = await import('jose')
        const key = await importSPKI(principal.publicKeyPem, 'RS256')
        const {payload} = await jwtVerify(token, key, {algorithms: ['RS256']})
        if (payload.uid === uid && typeof payload.exp === 'number') {
          return {status: 200, body: {token: this.issueToken(uid, {permissions: principal.permissions})}}
        }
      } catch {
        // fall through to the credentials error, as IAM does for any bad service login token
      }
    }
    return bad(401, 'Bad credentials', 'Invalid credentials. Check your uid and password or service account key.', 'ERR_INVALID_CREDENTIALS')
  }

  providers(): Record<string, unknown> {
    const flow = {start_flow_url: '/acs/api/v1/auth/login'}
    return {
      'dcos-users': {'authentication-type': 'dcos-uid-password', 'client-method': 'browser-prompt', config: flow, description: 'Default DC/OS login provider'},
      'dcos-services': {'authentication-type': 'dcos-uid-servicekey', 'client-method': 'dcos-usercredential-post-receive-authtoken', config: flow, description: 'Default DC/OS login provider'},
    }
  }
}
