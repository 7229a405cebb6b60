import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

test('`dcos-ts sim --port 0` prints the real URL, serves the cluster and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, ['bin/run.js', 'sim', '--port', '0', '--line-interval', '50'], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  child.stdout.setEncoding('utf8')
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      const match = /export DCOS_URL=(http:\/\/127\.0\.0\.1:(\d+))/.exec(out)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`sim exited with ${code}: ${out}`)))
  })
  try {
    assert.doesNotMatch(url, /:0$/)
    const version = (await (await fetch(`${url}/dcos-metadata/dcos-version.json`)).json()) as Record<string, string>
    assert.equal(version['dcos-variant'], 'open')
    const state = (await (await fetch(`${url}/mesos/master/state`)).json()) as {frameworks: Array<{tasks: Array<{id: string; name: string}>}>}
    const web = state.frameworks.flatMap((f) => f.tasks).find((t) => t.name === 'web')
    assert.ok(web, 'a running task named web')
    // The official CLI's `task log --follow`: discovery 303, then SSE on the agent route; lines keep coming.
    const response = await fetch(`${url}/system/v1/logs/v2/task/${web.id}/file/stdout?cursor=END&skip=-2`, {headers: {Accept: 'text/event-stream'}})
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'text/event-stream')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while ((text.match(/^data: /gm) ?? []).length < 4) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    assert.match(text, /^id: \d+\ndata: \{"fields":\{"AGENT_ID":/m)
  } finally {
    child.kill('SIGINT')
    const [code] = await once(child, 'exit')
    assert.equal(code, 0)
  }
})
