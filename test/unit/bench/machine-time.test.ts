import { describe, expect, it } from 'vitest';
import { machineShares, parseProcStat } from '../../../bench/lib/machine-time.js';

const stat = (fields: string) => `cpu  ${fields} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\n`;

describe('machine time', () => {
  it('reads busy, idle (I/O wait included) and stolen ticks from the aggregate cpu line', () => {
    // user nice system idle iowait irq softirq steal
    expect(parseProcStat(stat('100 2 30 500 7 1 4 40'))).toEqual({ busy: 137, idle: 507, stolen: 40 });
  });

  it('gives the shares of the time between two readings', () => {
    const before = parseProcStat(stat('100 0 0 100 0 0 0 0'));
    const after = parseProcStat(stat('170 0 10 110 0 0 0 20'));
    expect(machineShares(before, after)).toEqual({ busy: 0.73, idle: 0.09, stolen: 0.18 });
  });

  it('has no shares without two readings or without time between them', () => {
    const reading = parseProcStat(stat('1 0 0 1 0 0 0 0'));
    expect(machineShares(undefined, reading)).toBeUndefined();
    expect(machineShares(reading, reading)).toBeUndefined();
  });

  it('refuses a text with no aggregate cpu line, or one that is not numbers', () => {
    expect(() => parseProcStat('cpu0 1 2 3\n')).toThrow(/no aggregate cpu line/);
    expect(() => parseProcStat('cpu  1 2 x 4\n')).toThrow(/not numbers/);
  });

  it('counts fields an older kernel lacks as 0', () => {
    expect(parseProcStat('cpu  10 0 5 100\n')).toEqual({ busy: 15, idle: 100, stolen: 0 });
  });
});
