/** Addresses in the sim that the curl baselines ask for directly. */

/** The agent route of a task's file, as the discovery route's 303 names it. */
export async function agentRoute(simUrl: string, taskId: string, file = 'stdout'): Promise<string> {
  const response = await fetch(`${simUrl}/system/v1/logs/v2/task/${encodeURIComponent(taskId)}/file/${file}`, {redirect: 'manual'})
  const location = response.headers.get('location')
  if (response.status !== 303 || location === null) throw new Error(`discovery of ${taskId} answered ${response.status}`)
  return new URL(location, simUrl).pathname
}

/** The size of a sandbox file, from the Mesos files API (`offset=-1` answers it). */
export async function fileSize(simUrl: string, agentId: string, path: string): Promise<number> {
  const response = await fetch(`${simUrl}/agent/${agentId}/files/read?path=${encodeURIComponent(path)}&offset=-1`)
  const body = (await response.json()) as {offset: number}
  return body.offset
}
