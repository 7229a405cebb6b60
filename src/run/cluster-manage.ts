/**
 * `dcos-ts cluster list | attach | remove`: the clusters in $DCOS_DIR/clusters, in the official CLI's
 * layout (<id>/dcos.toml and the `attached` marker), so clusters set up by either CLI serve both.
 */
import {rm} from 'node:fs/promises'
import {EMBEDDED_SIM, attachCluster, findCluster, listClusters, type ConfiguredCluster} from '../cluster/config.js'
import {CliError} from '../errors.js'
import {formatTable} from '../output/table.js'
import type {Deps} from '../deps.js'
import {hideUrlPasswords} from '../cluster/redact.js'

export interface ClusterListOptions {
  json: boolean
  /** Only the attached cluster. */
  attached: boolean
}

/** One NDJSON line of `cluster list --json`; the field names are a stable interface. */
export interface ClusterListLine {
  name: string | null
  id: string
  url: string | null
  attached: boolean
  /** Why its dcos.toml cannot be read (name and url are then null); null for a cluster that can be used. */
  broken: string | null
}

export async function runClusterList(options: ClusterListOptions, deps: Deps): Promise<void> {
  const {io} = deps
  const all = await listClusters(io.env)
  const clusters = options.attached ? all.filter((cluster) => cluster.attached) : all
  if (options.json) {
    const lines = clusters.map(
      (c): ClusterListLine => ({name: c.name ?? null, id: c.id, url: c.url === undefined ? null : hideUrlPasswords(c.url), attached: c.attached, broken: brokenReason(c)}),
    )
    io.stdout.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''))
  } else if (clusters.length === 0) {
    io.stderr.write(all.length === 0 ? 'No cluster is configured (run `dcos-ts cluster setup URL`).\n' : 'No cluster is attached (run `dcos-ts cluster attach NAME`).\n')
  } else {
    // The attached cluster is marked in a column of its own, as a star inside a name could be part of it.
    const rows = clusters.map((c) => [c.attached ? '*' : '', c.name ?? '-', c.id, c.broken ? `broken: ${brokenReason(c)}` : c.url === undefined ? '-' : hideUrlPasswords(c.url)])
    io.stdout.write(formatTable(['', 'NAME', 'ID', 'URL'], rows))
  }
  // Configured by the official CLI (or before the name was reserved): reachable by its id only.
  const shadowed = clusters.find((c) => c.name === EMBEDDED_SIM)
  if (shadowed !== undefined) {
    io.stderr.write(`Note: --cluster ${EMBEDDED_SIM} is the built-in simulated cluster, not the cluster named '${EMBEDDED_SIM}' here (use its id: --cluster ${shadowed.id}).\n`)
  }
}

/** The one line saying why a cluster's dcos.toml cannot be read, and what to do; null when it can. */
function brokenReason(cluster: ConfiguredCluster): string | null {
  return cluster.broken ? `${cluster.broken.message} (${cluster.broken.hint})` : null
}

export async function runClusterAttach(nameOrId: string, deps: Deps): Promise<void> {
  const clusters = await listClusters(deps.io.env)
  const target = findCluster(clusters, nameOrId, 'cluster attach')
  if (target.broken) throw target.broken
  await attachCluster(clusters, target.id)
}

export interface ClusterRemoveOptions {
  nameOrId?: string
  all: boolean
}

export async function runClusterRemove(options: ClusterRemoveOptions, deps: Deps): Promise<void> {
  if ((options.nameOrId === undefined) === !options.all) {
    throw new CliError('usage', options.all ? 'pass a cluster or --all, not both' : 'which cluster? pass its name or id, or --all')
  }
  const clusters = await listClusters(deps.io.env)
  const doomed: ConfiguredCluster[] = options.nameOrId === undefined ? clusters : [findCluster(clusters, options.nameOrId, 'cluster remove')]
  // Each folder is one that listClusters found under $DCOS_DIR/clusters (a real directory entry).
  await Promise.all(doomed.map((cluster) => rm(cluster.dir, {recursive: true, force: true})))
}
