import type { DependencyLink } from '@milvus-otel/jaeger-query';
import { createColors } from 'picocolors';

export const GRAPH_FORMATS = ['text', 'dot', 'mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/**
 * Jaeger counts an edge for every span whose parent is in the trace, so it also reports a service's spans under its
 * own spans (`standalone → standalone`). Those are calls inside one process, not between services: listed apart.
 */
export function splitSelfCalls(links: readonly DependencyLink[]) {
  return {
    between: links.filter((l) => l.parent !== l.child),
    within: links.filter((l) => l.parent === l.child),
  };
}

const quoted = (name: string) => JSON.stringify(name);

/** The service graph: `a → b (n)` lines, or Graphviz dot / Mermaid source for docs. */
export function renderDependencies(
  links: readonly DependencyLink[],
  { format = 'text', color = false }: { format?: GraphFormat; color?: boolean } = {},
): string {
  const { between, within } = splitSelfCalls(links);
  if (format === 'dot') {
    const edges = between.map((l) => `  ${quoted(l.parent)} -> ${quoted(l.child)} [label="${l.callCount}"];`);
    return `digraph services {\n  rankdir=LR;\n  node [shape=box];\n${edges.join('\n')}\n}\n`;
  }
  if (format === 'mermaid') {
    const ids = new Map<string, string>();
    const node = (name: string) => {
      if (!ids.has(name)) ids.set(name, `s${ids.size}`);
      // Mermaid labels are quoted strings: a double quote in a name is written as its HTML entity.
      return `${ids.get(name)}["${name.replaceAll('"', '#quot;')}"]`;
    };
    return `flowchart LR\n${between.map((l) => `  ${node(l.parent)} -->|${l.callCount}| ${node(l.child)}`).join('\n')}\n`;
  }
  const c = createColors(color);
  const width = Math.max(0, ...between.map((l) => l.parent.length));
  const lines = between.map(
    (l) => `${c.bold(l.parent.padEnd(width))} → ${c.bold(l.child)} ${c.dim(`(${l.callCount})`)}`,
  );
  if (within.length) {
    lines.push(c.dim(`inside one service: ${within.map((l) => `${l.parent} (${l.callCount})`).join(', ')}`));
  }
  return `${lines.join('\n')}\n`;
}
