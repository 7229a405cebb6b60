import type {Readable} from 'node:stream'
import type {HttpClient, HttpResponse, RequestOptions} from '../../src/cluster/http.js'

/** A fake cluster for sources that only stream: json() and text() are never called by them. */
export abstract class StreamOnlyHttp implements HttpClient {
  readonly baseUrl = 'http://fake'

  json<T>(): Promise<T> {
    throw new Error('not used')
  }

  text(): Promise<never> {
    throw new Error('not used')
  }

  abstract stream(path: string, options?: RequestOptions): Promise<{response: HttpResponse; body: Readable}>
}
