/** One problem with a setting: which one, what it was, what was expected, and how to fix it. */
export interface ConfigIssue {
  /** The environment variable (`OTEL_EXPORTER_OTLP_PROTOCOL`) or dotted key (`trace.otlp.endpoint`). */
  readonly key: string;
  /** The offending value as given, with secrets masked; undefined when the setting is missing. */
  readonly value?: string | undefined;
  readonly expected: string;
  readonly fix: string;
  /** For a setting the given Milvus release does not read yet: the first release that does. */
  readonly needsMilvus?: string | undefined;
}

/** A cross-check result that does not stop start-up but deserves a line in the log. */
export interface ConfigWarning {
  readonly key: string;
  readonly message: string;
  readonly fix?: string | undefined;
}

/** Thrown by every `parse*` function: one error that lists every bad setting at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(subject: string, issues: readonly ConfigIssue[]) {
    // Masked here, so no caller can put a credential into a message by forgetting to.
    const masked = issues.map(maskIssue);
    super(formatIssues(subject, masked));
    this.issues = masked;
  }
}

export function formatIssues(subject: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => {
    const given = issue.value === undefined ? 'is not set' : `is ${JSON.stringify(issue.value)}`;
    return `  - ${issue.key} ${given}: expected ${issue.expected}.\n    Fix: ${issue.fix}`;
  });
  return `Invalid ${subject} (${count}):\n${lines.join('\n')}`;
}

const SECRET_KEY = /PASSWORD|TOKEN|SECRET|API_?KEY|HEADERS|CREDENTIAL|password|token|secret|headers/;

/**
 * Masks a value when its key names a secret (header lists keep their names and lose their values); any other value
 * keeps its text, with the credentials, query values and fragment of every URL in it masked.
 */
export function maskValue(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return value;
  if (!SECRET_KEY.test(key)) return maskUrls(value);
  if (/HEADERS/.test(key)) {
    return value
      .split(',')
      .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('=')).trim()}=****` : '****'))
      .join(',');
  }
  return value === '' ? '' : '****';
}

const MASK = '****';
/** Where a URL starts in a word: a scheme at its start or after `=`, `,`, `(` or a quote (`endpoint=http://…`). */
const URL_START = /(?:^|[=,("'`<])[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Masks URL credentials in `text`: the password of the user info (a lone user name too: often a token), also of a
 * `user:password@host` without a scheme; every query value (keys kept: API keys travel there) and the fragment.
 * Idempotent; text without URLs or `@` stays as it is.
 */
export function maskUrls(text: string): string {
  return text.replace(/\S+/g, maskWord);
}

function maskWord(word: string): string {
  const url = URL_START.exec(word);
  // The user info runs to the word's last `@`, not the authority's: a password with an unencoded `/`, `#`, `?` or
  // even `://` ends the authority early, yet is still the password. The price: a path with an `@` is masked too.
  const at = word.lastIndexOf('@');
  if (!url) return maskBareUserinfo(word);
  const start = url.index + url[0].length;
  if (at < start)
    return (
      maskBareUserinfo(word.slice(0, url.index)) + word.slice(url.index, start) + maskQuery(word.slice(start))
    );
  return `${word.slice(0, start)}${maskUserinfo(word.slice(start, at))}@${maskQuery(word.slice(at + 1))}`;
}

/** `user:password` → `user:****`; a lone user name, or one that holds an `@` itself, is masked whole. */
function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  const user = userinfo.slice(0, colon);
  return colon < 0 || user.includes('@') ? MASK : `${user}:${MASK}`;
}

/** `root:password@milvus:19530` → `root:****@milvus:19530`; a word with no `:` before its last `@` is kept. */
function maskBareUserinfo(word: string): string {
  const at = word.lastIndexOf('@');
  const colon = word.indexOf(':');
  if (colon < 0 || at < colon) return word;
  return `${maskUserinfo(word.slice(0, at))}@${word.slice(at + 1)}`;
}

/** `host/path?k=v&k2=v2#frag` → `host/path?k=****&k2=****#****`. */
function maskQuery(rest: string): string {
  const hash = rest.indexOf('#');
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? '' : hash === rest.length - 1 ? '#' : `#${MASK}`;
  const q = beforeHash.indexOf('?');
  if (q < 0) return beforeHash + fragment;
  const params = beforeHash
    .slice(q + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      if (eq < 0) return param === '' ? '' : MASK;
      return eq === param.length - 1 ? param : `${param.slice(0, eq)}=${MASK}`;
    });
  return `${beforeHash.slice(0, q + 1)}${params.join('&')}${fragment}`;
}

function maskIssue(issue: ConfigIssue): ConfigIssue {
  return {
    ...issue,
    value: maskValue(issue.key, issue.value),
    expected: maskUrls(issue.expected),
    fix: maskUrls(issue.fix),
  };
}

export function maskWarning(warning: ConfigWarning): ConfigWarning {
  return {
    ...warning,
    message: maskUrls(warning.message),
    ...(warning.fix === undefined ? {} : { fix: maskUrls(warning.fix) }),
  };
}
