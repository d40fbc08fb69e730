import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchDependencies, JaegerError } from '../src/index.ts';

let server: Server | undefined;
/** A local HTTP server answering every request with `handler`; its URL. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
afterEach(async () => {
  if (server?.listening) await close(server);
  server = undefined;
});
const json =
  (body: unknown, status = 200) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

describe('fetchDependencies', () => {
  it('asks for the window and returns the links sorted by parent, then child', async () => {
    const urls: string[] = [];
    const url = await serve((req, res) => {
      urls.push(req.url ?? '');
      json({
        data: [
          { parent: 'worker', child: 'standalone', callCount: 4 },
          { parent: 'api', child: 'worker', callCount: 2, source: 'jaeger' },
          { parent: 'api', child: 'standalone', callCount: 7 },
        ],
      })(req, res);
    });
    const links = await fetchDependencies(`${url}/`, { end: 1_700_000_000_000, lookbackMs: 600_000 });
    expect(links).toEqual([
      { parent: 'api', child: 'standalone', callCount: 7 },
      { parent: 'api', child: 'worker', callCount: 2 },
      { parent: 'worker', child: 'standalone', callCount: 4 },
    ]);
    await fetchDependencies(url, { end: new Date(1_700_000_000_000) });
    expect(urls).toEqual([
      '/api/dependencies?endTs=1700000000000&lookback=600000',
      '/api/dependencies?endTs=1700000000000&lookback=3600000',
    ]);
  });

  it('reads no data as no links', async () => {
    expect(await fetchDependencies(await serve(json({ data: null })))).toEqual([]);
    await close(server as Server);
    expect(await fetchDependencies(await serve(json({ data: [] })))).toEqual([]);
  });

  it('says when this Jaeger does not serve the dependencies API (404)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404);
      res.end('404 page not found');
    });
    await expect(fetchDependencies(url)).rejects.toThrow(
      /answered 404: this Jaeger does not serve \/api\/dependencies \(the Jaeger UI's dependencies API\)/,
    );
  });

  it('throws JaegerError for an error answer or one that is not a list of links', async () => {
    await expect(fetchDependencies(await serve(json({ error: 'boom' }, 500)))).rejects.toThrow(
      /answered 500/,
    );
    await close(server as Server);
    await expect(fetchDependencies(await serve(json({ data: [{ parent: 'api' }] })))).rejects.toThrow(
      /without a list of dependencies/,
    );
    await close(server as Server);
    await expect(fetchDependencies(await serve((_req, res) => res.end('<html>')))).rejects.toBeInstanceOf(
      JaegerError,
    );
  });

  it('says that Jaeger is not reachable when nothing listens', async () => {
    const url = await serve(json({ data: [] }));
    await close(server as Server);
    await expect(fetchDependencies(url)).rejects.toThrow(/is not reachable \(ECONNREFUSED\)/);
  });
});
