/** The permission a 403 on this path most likely lacks (DC/OS Enterprise Admin Router and Mesos ACLs). */
export function permissionFor(pathname: string): string | undefined {
  const rules: Array<[RegExp, string]> = [
    [/^\/system\/v1\/logs\//, 'dcos:adminrouter:ops:system-logs'],
    [/^\/system\/v1\/agent\/[^/]+\//, 'dcos:adminrouter:system:agent'],
    [/^\/system\/v1\/leader\/mesos\//, 'dcos:adminrouter:system:leader:mesos'],
    [/^\/mesos\//, 'dcos:adminrouter:ops:mesos'],
    [/^\/agent\/[^/]+\/files\//, 'dcos:mesos:agent:sandbox:app_id (read) and dcos:adminrouter:ops:slave'],
    [/^\/(agent|slave)\//, 'dcos:adminrouter:ops:slave'],
    [/^\/marathon\//, 'dcos:adminrouter:service:marathon'],
  ]
  for (const [pattern, permission] of rules) if (pattern.test(pathname)) return permission
  const service = /^\/service\/([^/]+)\//.exec(pathname)
  return service ? `dcos:adminrouter:service:${decodeURIComponent(service[1])}` : undefined
}
