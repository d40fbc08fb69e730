/** HTTP requests written byte for byte on a socket: fetch() cannot send a request target that is not a URL. */
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RawResponse {
  /** Everything the server sent before it closed the connection (or the time ran out). */
  raw: string;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection without a word. */
  closedSilently: boolean;
}

/** The message of the answer to bytes Node's HTTP parser refuses: such a request never reaches the app. */
export const NOT_HTTP = 'The request is not valid HTTP.';

export function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const payload = split === -1 ? '' : raw.slice(split + 4);
  return {
    raw,
    status: status === undefined ? undefined : Number(status),
    headers,
    body: headers['transfer-encoding'] === 'chunked' ? dechunk(payload) : payload,
    closedSilently: raw === '',
  };
}

/** The body of a chunked answer (sizes in hex, each chunk followed by CRLF, a last chunk of size 0). */
function dechunk(payload: string): string {
  const bytes = Buffer.from(payload, 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n', at);
    const size = Number.parseInt(bytes.subarray(at, end).toString('latin1'), 16);
    if (end === -1 || !(size > 0)) break;
    parts.push(bytes.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Sends `request` as is and collects the answer until the server closes the connection. */
export function rawRequest(port: number, request: string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the answer within ${timeoutMs} ms to ${JSON.stringify(request)}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {}); // a reset after a refusal ends the answer like a close
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString('utf8')));
    });
    socket.write(request);
  });
}

/** A request line and the headers that make the server close the connection after its answer. */
export const requestOf = (method: string, target: string, extra = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

/** This repository's directory on this machine. */
const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * A stack trace or a source path in an answer (raw, or escaped inside a JSON string): details that must stay in the
 * logs.
 */
export const LEAKS = new RegExp(
  [
    String.raw`(?:\n|\\n)\s+at `,
    'node_modules/',
    'file://',
    String.raw`\.[cm]?[jt]s:\d+:\d+`,
    root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  ].join('|'),
);
