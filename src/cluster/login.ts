/**
 * Logging in to a DC/OS cluster the way the official CLI does (pkg/login): provider discovery, the
 * uid/password and service-account flows against the IAM login endpoint, and keeping the resulting
 * token in the cluster's dcos.toml (`core.dcos_acs_token`, which both CLIs read).
 *
 * A service account's uid and private-key path are kept too, in a `[dcos-ts]` section the official CLI
 * ignores, so that a later run can log in again by itself when the token expires (reloginWithServiceAccount).
 * Only the key's path is stored, never the key; it is re-read (and its mode re-checked) at each login.
 */
import type {KeyObject} from 'node:crypto'
import {join} from 'node:path'
import {readClusterToml, writeClusterToml, type ClusterToml, type ResolvedCluster} from './config.js'
import {CliError, isCliError, oneLine} from '../errors.js'
import type {HttpClient} from './http.js'
import {readSecureFile} from './secure-file.js'
import {serverMessage} from './server-message.js'

export const LOGIN_PATH = '/acs/api/v1/auth/login'
const PROVIDERS_PATH = '/acs/api/v1/auth/providers'
/** Answers 200 without a token only when authentication is off (the official CLI's probe). */
const AUTH_PROBE_PATH = '/pkgpanda/active.buildinfo.full.json'
/** The official CLI's lifetime for a service login JWT. */
const SERVICE_TOKEN_SECONDS = 5 * 60

/** The `[dcos-ts]` section of dcos.toml. */
export const DCOS_TS_SECTION = 'dcos-ts'
const SA_UID_KEY = 'service_account_uid'
const SA_KEY_PATH_KEY = 'service_account_private_key'

export type ProviderType =
  | 'dcos-uid-password'
  | 'dcos-uid-password-ldap'
  | 'dcos-uid-servicekey'
  | 'saml-sp-initiated'
  | 'oidc-authorization-code-flow'
  | 'oidc-implicit-flow'
  | (string & {})

export interface LoginProvider {
  id: string
  type: ProviderType
  description: string
  /** Where the flow posts (password) or starts (browser); absolute path on the cluster. */
  startFlowUrl: string
}

export interface Credentials {
  provider?: string
  username?: string
  password?: string
  /** Path of the service account's PEM private key. */
  privateKeyPath?: string
}

export interface ServiceAccount {
  uid: string
  /** Absolute path of the PEM private key. */
  privateKeyPath: string
}

const PASSWORD_TYPES = new Set<ProviderType>(['dcos-uid-password', 'dcos-uid-password-ldap'])
const SERVICE_KEY_TYPE: ProviderType = 'dcos-uid-servicekey'


/**
 * The cluster's login providers, or 'disabled' when it needs no token at all. The providers endpoint is
 * absent on EE 1.7/1.8 and open DC/OS before 1.13: the WWW-Authenticate challenge of an unauthenticated
 * request decides then. `http` must send no token (a valid one would make the probe succeed).
 */
export async function discoverProviders(http: HttpClient): Promise<LoginProvider[] | 'disabled'> {
  const probe = await http.text(AUTH_PROBE_PATH, {method: 'HEAD', allowStatuses: [401, 403, 404], purpose: 'checking whether the cluster needs a login'})
  if (probe.response.status === 200) return 'disabled'
  const challenge = String(probe.response.headers['www-authenticate'] ?? '').trim()
  let listed: Record<string, unknown> | undefined
  try {
    listed = await http.json<Record<string, unknown>>(PROVIDERS_PATH, {purpose: 'reading the login providers'})
  } catch (error) {
    // Old clusters: no such route (404, or the UI's page instead of JSON). Network and TLS faults stand.
    if (!isCliError(error) || (error.status === undefined && error.kind !== 'protocol')) throw error
  }
  if (listed !== undefined && typeof listed === 'object' && listed !== null && !Array.isArray(listed)) {
    return Object.entries(listed).map(([id, value]) => parseProvider(id, value))
  }
  if (challenge === 'acsjwt' || challenge === '') {
    return [{id: 'dcos-users', type: 'dcos-uid-password', description: 'DC/OS user', startFlowUrl: LOGIN_PATH}]
  }
  if (challenge === 'oauthjwt') {
    return [{id: 'dcos-oidc-auth0', type: 'oidc-implicit-flow', description: 'Google, GitHub, or Microsoft', startFlowUrl: '/login?redirect_uri=urn:ietf:wg:oauth:2.0:oob'}]
  }
  throw new CliError('protocol', `unsupported WWW-Authenticate challenge '${oneLine(challenge, 80)}'`)
}

function parseProvider(id: string, value: unknown): LoginProvider {
  const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const config = (typeof entry.config === 'object' && entry.config !== null ? entry.config : {}) as Record<string, unknown>
  const start = typeof config.start_flow_url === 'string' && config.start_flow_url ? config.start_flow_url : LOGIN_PATH
  return {
    id,
    type: typeof entry['authentication-type'] === 'string' ? entry['authentication-type'] : 'unknown',
    description: typeof entry.description === 'string' ? entry.description : '',
    startFlowUrl: start,
  }
}

/**
 * The provider for these credentials (the official CLI's rules, without its browser flows): an explicit
 * --provider wins; a private key means the service-key provider; otherwise the password providers.
 */
export function selectProvider(providers: LoginProvider[], credentials: Credentials): LoginProvider {
  const known = providers.map((p) => p.id).join(', ') || 'none'
  if (credentials.provider !== undefined) {
    const chosen = providers.find((p) => p.id === credentials.provider)
    if (!chosen) throw new CliError('usage', `unknown login provider ID '${credentials.provider}'`, {hint: `the cluster offers: ${known}`})
    const wanted = credentials.privateKeyPath !== undefined ? 'service-key' : 'password'
    if (!PASSWORD_TYPES.has(chosen.type) && chosen.type !== SERVICE_KEY_TYPE) {
      throw new CliError('usage', `login provider '${chosen.id}' (${chosen.type}) needs a browser, which dcos-ts does not support`, {
        hint: 'log in with `dcos auth login`: dcos-ts reads the token it stores',
      })
    }
    if ((chosen.type === SERVICE_KEY_TYPE) !== (wanted === 'service-key')) {
      throw new CliError('usage', `login provider '${chosen.id}' (${chosen.type}) does not take a ${wanted}`, {
        hint: chosen.type === SERVICE_KEY_TYPE ? 'pass --username UID --private-key FILE' : 'drop --private-key',
      })
    }
    return chosen
  }
  const fits = providers.filter((p) => (credentials.privateKeyPath !== undefined ? p.type === SERVICE_KEY_TYPE : PASSWORD_TYPES.has(p.type)))
  if (fits.length === 1) return fits[0]
  if (fits.length === 0) {
    throw new CliError('auth', "couldn't determine a login provider", {
      hint: credentials.privateKeyPath !== undefined ? `the cluster offers no service-account login (providers: ${known})` : `the cluster offers: ${known}`,
    })
  }
  // The official `dcos-users` is what a bare username and password mean there too.
  const standard = fits.find((p) => p.id === 'dcos-users' || p.id === 'dcos-services')
  if (standard) return standard
  throw new CliError('usage', `several login providers fit: ${fits.map((p) => p.id).join(', ')}`, {hint: 'choose one with --provider'})
}

/** `{uid, password}` to the provider's login URL; returns the ACS token. */
export function passwordLogin(http: HttpClient, provider: LoginProvider, uid: string, password: string): Promise<string> {
  return postLogin(http, provider.startFlowUrl, {uid, password}, uid)
}

/**
 * The service-account flow: a login JWT (RS256, claims uid and exp = now + 5 min) signed with the
 * account's private key, posted as `{uid, token}`; returns the ACS token.
 */
export async function serviceAccountLogin(http: HttpClient, uid: string, privateKeyPem: string, path: string = LOGIN_PATH, now: number = Date.now()): Promise<string> {
  return postLogin(http, path, {uid, token: await serviceLoginToken(uid, privateKeyPem, now)}, uid)
}

/** The RS256 login JWT a service account presents. PKCS#1 ("RSA PRIVATE KEY") and PKCS#8 keys both work. */
export async function serviceLoginToken(uid: string, privateKeyPem: string, now: number = Date.now()): Promise<string> {
  // node:crypto loads here, for a service account only: loading it costs ~4 ms, at every start otherwise.
  const {createPrivateKey} = process.getBuiltinModule('node:crypto')
  let key: KeyObject
  try {
    key = createPrivateKey(privateKeyPem)
  } catch (error) {
    throw new CliError('config', `the private key of service account '${uid}' is not a PEM private key`, {cause: error})
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CliError('config', `the private key of service account '${uid}' is an ${key.asymmetricKeyType ?? 'unknown'} key; DC/OS service accounts use RSA keys (RS256)`)
  }
  const {SignJWT} = await import('jose')
  const seconds = Math.floor(now / 1000)
  return new SignJWT({uid}).setProtectedHeader({alg: 'RS256', typ: 'JWT'}).setExpirationTime(seconds + SERVICE_TOKEN_SECONDS).sign(key)
}

async function postLogin(http: HttpClient, path: string, body: Record<string, string>, uid: string): Promise<string> {
  const {response, body: text} = await http.text(path, {
    method: 'POST',
    json: body,
    allowStatuses: [400, 401, 403, 404],
    purpose: `logging in as '${uid}'`,
  })
  if (response.status !== 200) {
    const said = serverMessage(text, String(response.headers['content-type'] ?? ''))
    const why = text.trim().startsWith('{') && said ? said : "couldn't log in"
    throw new CliError('auth', `login as '${uid}' failed: ${why} (${response.status})`)
  }
  let token: unknown
  try {
    token = (JSON.parse(text) as {token?: unknown}).token
  } catch {
    token = undefined
  }
  if (typeof token !== 'string' || token === '') {
    throw new CliError('protocol', `login as '${uid}': the cluster's answer holds no token: ${oneLine(text, 120) || '(empty body)'}`)
  }
  return token
}

/** The service account a cluster's dcos.toml names for re-logins, if any. */
export function configuredServiceAccount(toml: ClusterToml): ServiceAccount | undefined {
  const section = toml[DCOS_TS_SECTION]
  if (typeof section !== 'object' || section === null) return undefined
  const values = section as Record<string, unknown>
  const uid = values[SA_UID_KEY]
  const privateKeyPath = values[SA_KEY_PATH_KEY]
  return typeof uid === 'string' && uid && typeof privateKeyPath === 'string' && privateKeyPath ? {uid, privateKeyPath} : undefined
}

/**
 * Sets the token in toml, and the service account to log in again with (null forgets it), keeping every
 * other key. Returns toml, changed in place.
 */
export function withLogin(toml: ClusterToml, token: string, serviceAccount: ServiceAccount | null): ClusterToml {
  toml.core = {...toml.core, dcos_acs_token: token}
  setServiceAccount(toml, serviceAccount)
  return toml
}

/** Removes the token and the service account (`auth logout`); true when there was something to remove. */
export function withoutLogin(toml: ClusterToml): boolean {
  const had = toml.core?.dcos_acs_token !== undefined || configuredServiceAccount(toml) !== undefined
  if (toml.core) delete toml.core.dcos_acs_token
  setServiceAccount(toml, null)
  return had
}

function setServiceAccount(toml: ClusterToml, serviceAccount: ServiceAccount | null): void {
  const section = {...((toml[DCOS_TS_SECTION] as Record<string, unknown> | undefined) ?? {})}
  if (serviceAccount) {
    section[SA_UID_KEY] = serviceAccount.uid
    section[SA_KEY_PATH_KEY] = serviceAccount.privateKeyPath
  } else {
    delete section[SA_UID_KEY]
    delete section[SA_KEY_PATH_KEY]
  }
  if (Object.keys(section).length > 0) toml[DCOS_TS_SECTION] = section
  else delete toml[DCOS_TS_SECTION]
}

/**
 * Logs in again as the service account the cluster's dcos.toml names (after a 401: the token expired),
 * stores the new token there, and returns it; undefined when no service account is configured. `http`
 * is a client for the cluster; the login request never throws a 401 (it is read as an answer), so a
 * client whose onUnauthorized calls this does not recurse. A failed login throws an 'auth' CliError
 * that names the account.
 */
export async function reloginWithServiceAccount(cluster: ResolvedCluster, http: HttpClient, now: () => number = Date.now): Promise<string | undefined> {
  if (cluster.configDir === undefined) return undefined
  const configPath = join(cluster.configDir, 'dcos.toml')
  const serviceAccount = configuredServiceAccount(await readClusterToml(configPath))
  if (!serviceAccount) return undefined
  const key = await readSecureFile(serviceAccount.privateKeyPath, `private key of service account '${serviceAccount.uid}'`)
  const token = await serviceAccountLogin(http, serviceAccount.uid, key, LOGIN_PATH, now())
  // Re-read: another command may have changed the file meanwhile; only the token changes.
  await writeClusterToml(configPath, withLogin(await readClusterToml(configPath), token, serviceAccount))
  return token
}


