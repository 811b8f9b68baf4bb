import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceMetrics } from '../../../src/activities/metrics.js';

/** A meter that keeps every add: the counters' names, values and tags in the order they came. */
function recordingMeter() {
  const adds: { name: string; value: number; tags: MetricTags }[] = [];
  const counter = (name: string): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    add: (value, tags = {}) => adds.push({ name, value, tags }),
    withTags: () => counter(name),
  });
  const unused = () => {
    throw new Error('not used here');
  };
  const meter: MetricMeter = {
    createCounter: counter,
    createHistogram: unused,
    createGauge: unused,
    withTags: () => meter,
  };
  return { meter, adds };
}

const tags = { migration: 'woocommerce-orders', connection: 'woocommerce' };
const sum = (adds: { name: string; value: number }[], name: string) =>
  adds.filter((add) => add.name === name).reduce((total, add) => total + add.value, 0);

afterEach(() => {
  vi.useRealTimers();
});

describe('SourceMetrics', () => {
  it('adds requests and their waits to the meter in a few adds, every one counted once the activity flushes', async () => {
    const { meter, adds } = recordingMeter();
    await new MockActivityEnvironment({}, { metricMeter: meter }).run(async () => {
      const metrics = new SourceMetrics(tags);
      for (let request = 0; request < 5000; request++) metrics.request(0.0004);
      metrics.flush();
    });
    expect(sum(adds, 'ferry_source_requests')).toBe(5000);
    expect(sum(adds, 'ferry_rate_limit_wait_ms')).toBe(2000);
    expect(adds.length).toBeLessThanOrEqual(4);
    expect(adds.every((add) => add.tags.migration === 'woocommerce-orders')).toBe(true);
  });

  it('adds what it counted once a second while the activity goes on, keeping the fraction of a millisecond', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { meter, adds } = recordingMeter();
    await new MockActivityEnvironment({}, { metricMeter: meter }).run(async () => {
      const metrics = new SourceMetrics(tags);
      metrics.request(0.0006);
      metrics.request(0);
      expect(adds).toEqual([]);
      vi.advanceTimersByTime(1000);
      metrics.request(0.0006);
      expect(sum(adds, 'ferry_source_requests')).toBe(3);
      // 1.2 ms waited: 1 ms added now, the rest with the next flush.
      expect(sum(adds, 'ferry_rate_limit_wait_ms')).toBe(1);
      metrics.request(0.0004);
      metrics.flush();
    });
    expect(sum(adds, 'ferry_source_requests')).toBe(4);
    expect(sum(adds, 'ferry_rate_limit_wait_ms')).toBe(2);
  });
});
