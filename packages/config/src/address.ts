/**
 * The one host:port reader of the kit: the Milvus SDK's `address` setting (`host:port`, `http(s)://host:port/path`,
 * `[::1]:19530`, `user:pass@host:port`), the Milvus server's `trace.otlp.endpoint` (`jaeger:4317`) and OTLP URLs.
 * Free of zod so that the instrumentation and the `--import` bundle can load it alone (`@milvus-otel/config/address`).
 */

export interface HostPort {
  /** Host name or IP address; an IPv6 address without its brackets. */
  readonly host: string;
  /** The port written in the text, else `defaultPort`; undefined when neither is known or the port is not valid. */
  readonly port: number | undefined;
  /** The text named a port (valid or not). */
  readonly portGiven: boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Host and port of an address. The scheme, path, query and credentials (`user:pass@`) are dropped; an IPv6 address is
 * recognised in brackets (`[::1]:19530`) or bare without a port (`::1`). Returns undefined when no host is left.
 */
export function parseHostPort(text: string, defaultPort?: number): HostPort | undefined {
  let rest = text.trim().replace(SCHEME, '');
  rest = rest.split(/[/?#]/, 1)[0] ?? '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  if (!rest) return undefined;
  let host = rest;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') return undefined;
  } else if (rest.split(':').length === 2) {
    const i = rest.indexOf(':');
    host = rest.slice(0, i);
    portText = rest.slice(i + 1);
  }
  if (!host) return undefined;
  if (portText === undefined) return { host, port: defaultPort, portGiven: false };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  return { host, port: port >= 1 && port <= 65_535 ? port : undefined, portGiven: true };
}
