/**
 * The login step `auth login` and `cluster setup` share. Credentials, as the official CLI takes them:
 * --username or DCOS_USERNAME; the password from --password-file (mode 0400/0600), DCOS_PASSWORD, or a
 * prompt (no echo on a terminal, else the next line of stdin); a service account with --username UID
 * --private-key FILE. DCOS_CLUSTER_SETUP_ACS_TOKEN skips the login and stores that token. A password or
 * token is never taken as an argument.
 */
import {resolve} from 'node:path'
import type {ResolvedCluster} from '../cluster/config.js'
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import {discoverProviders, passwordLogin, selectProvider, serviceAccountLogin, type ServiceAccount} from '../cluster/login.js'
import {readSecureFile} from '../cluster/secure-file.js'
import type {IO} from '../output/io.js'
import {createPrompter} from './prompt.js'

export interface LoginOptions {
  provider?: string
  username?: string
  passwordFile?: string
  privateKey?: string
}

/** An HTTP client for a cluster of the caller's choosing (no configured cluster exists yet during setup). */
export type Connect = (cluster: ResolvedCluster) => Promise<HttpClient>

export interface LoginResult {
  token: string
  /** Who logged in, for the message; undefined for DCOS_CLUSTER_SETUP_ACS_TOKEN. */
  uid?: string
  /** Kept in dcos.toml so a later run can log in again by itself; null for a user. */
  serviceAccount: ServiceAccount | null
}

/** Interactive password attempts, as the official CLI allows. */
const PASSWORD_ATTEMPTS = 3

export function connector(io: IO, verbose: boolean): Connect {
  return async (cluster) => {
    const {createHttpClient} = await import('../cluster/http.js')
    return createHttpClient(cluster, {verbose, stderr: io.stderr})
  }
}

/** Logs in through `http` (a client that sends no token); 'disabled' when the cluster needs no login. */
export async function logIn(http: HttpClient, options: LoginOptions, io: IO): Promise<LoginResult | 'disabled'> {
  const presetToken = io.env.DCOS_CLUSTER_SETUP_ACS_TOKEN?.trim()
  if (presetToken) return {token: presetToken, serviceAccount: null}

  const providers = await discoverProviders(http)
  if (providers === 'disabled') return 'disabled'
  const username = options.username ?? (io.env.DCOS_USERNAME || undefined)
  const privateKeyPath = options.privateKey === undefined ? undefined : resolve(options.privateKey)
  const provider = selectProvider(providers, {provider: options.provider, username, privateKeyPath})

  if (privateKeyPath !== undefined) {
    if (username === undefined) {
      throw new CliError('usage', 'a service account login needs its uid', {hint: 'pass --username UID with --private-key, or set DCOS_USERNAME'})
    }
    const key = await readSecureFile(privateKeyPath, 'private key')
    const token = await serviceAccountLogin(http, username, key, provider.startFlowUrl)
    return {token, uid: username, serviceAccount: {uid: username, privateKeyPath}}
  }

  const prompter = createPrompter(io)
  const uid = username ?? (await prompter.ask('Username: '))
  if (!uid) throw new CliError('usage', 'no username given', {hint: 'pass --username or set DCOS_USERNAME'})
  const given = options.passwordFile !== undefined ? await readPasswordFile(options.passwordFile) : io.env.DCOS_PASSWORD || undefined
  // Only a password typed at a terminal is asked again after a refusal; any other source would fail the same way.
  const attempts = given === undefined && io.isStdinTTY ? PASSWORD_ATTEMPTS : 1
  for (let attempt = 1; ; attempt++) {
    const password = given ?? (await prompter.ask('Password: ', {secret: true}))
    if (!password) {
      throw new CliError('usage', `no password given for '${uid}'`, {hint: 'type it when asked, pass --password-file, or set DCOS_PASSWORD'})
    }
    try {
      return {token: await passwordLogin(http, provider, uid, password), uid, serviceAccount: null}
    } catch (error) {
      if (!(error instanceof CliError) || error.kind !== 'auth' || attempt >= attempts) throw error
      io.stderr.write(`${error.message}\n`)
    }
  }
}

async function readPasswordFile(path: string): Promise<string> {
  const text = await readSecureFile(resolve(path), 'password file')
  return text.replace(/\r?\n$/, '')
}
