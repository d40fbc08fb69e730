import { describe, expect, it } from 'vitest';
import { nonLoopbackLines } from '../src/loopback.ts';

describe('nonLoopbackLines', () => {
  it('finds the lines that name an address other than loopback or 0.0.0.0', () => {
    const log = [
      '[INFO] [grpcclient] ["dial tcp 192.0.2.2:53100: connect: connection refused"]',
      '[INFO] [rootcoord] ["register"] [address=127.0.0.1:53100]',
      '[INFO] [proxy] [listen] [addr=0.0.0.0:19530]',
      '[INFO] [datanode] [peers] [a=10.1.2.3:21124] [b=10.1.2.3:21125] [c=127.0.0.2:1]',
      '[INFO] version 2.3.5 build 300.1.2.999',
    ].join('\n');
    expect(nonLoopbackLines(log)).toEqual([
      { line: expect.stringContaining('dial tcp 192.0.2.2'), addresses: ['192.0.2.2'] },
      { line: expect.stringContaining('[datanode]'), addresses: ['10.1.2.3'] },
    ]);
  });
});
